/**
 * The per-cluster QWK relay key: its Key Vault secret name (derived from the cluster's ids, so the deployment that
 * generates it and the ingest route that checks with it agree without storing it anywhere else), its generation,
 * and a briefly cached reader for the ingest route.
 */
import type { SecretClient } from '@azure/keyvault-secrets';
import { GENERATED_SECRETS } from '../names';
import { readSecretIfExists } from '../secrets/credentialStore';
import { toSecretNameFragment } from '../spec/azureNames';

/** Key Vault secret name of a cluster's relay key: `<resource group>-<first 8 of the subscription>-qwk-relay-key`. */
export function relayKeySecretName(subscriptionId: string, resourceGroup: string): string {
  const sub = toSecretNameFragment(subscriptionId.toLowerCase()).slice(0, 8);
  const suffix = GENERATED_SECRETS.relayHmacKey(`-${sub}`).length;
  const rg = toSecretNameFragment(resourceGroup.toLowerCase()).slice(0, 127 - suffix);
  return GENERATED_SECRETS.relayHmacKey(`${rg}-${sub}`);
}

export { generateRelayKey } from '../secrets/adminCredentials';

/** Reads relay keys from Key Vault, keeping each value for `ttlMs` (missing keys are not cached). */
export class RelayKeyReader {
  private readonly cache = new Map<string, { value: string; until: number }>();

  constructor(
    private readonly client: () => SecretClient,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cluster's key, or undefined when Key Vault has none. `fresh` bypasses the cache. */
  async get(subscriptionId: string, resourceGroup: string, fresh = false): Promise<string | undefined> {
    const name = relayKeySecretName(subscriptionId, resourceGroup);
    const hit = this.cache.get(name);
    if (!fresh && hit && hit.until > this.now()) return hit.value;
    const value = await readSecretIfExists(this.client(), name);
    if (value) this.cache.set(name, { value, until: this.now() + this.ttlMs });
    else this.cache.delete(name);
    return value || undefined;
  }

  /** Age of the cached value in ms (undefined: not cached). */
  cachedAgeMs(subscriptionId: string, resourceGroup: string): number | undefined {
    const hit = this.cache.get(relayKeySecretName(subscriptionId, resourceGroup));
    return hit ? this.now() - (hit.until - this.ttlMs) : undefined;
  }
}
