import { randomBytes } from 'node:crypto';
import { ArmError } from '../arm/errors';
import type { Route } from '../arm/engine';
import type { SimRequest, SimResponse } from '../arm/httpTypes';

export interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  created: number;
  updated: number;
}

export interface Secret {
  name: string;
  versions: SecretVersion[];
  deletedDate?: number;
}

const RECOVERY = { recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 };
const NAME_RE = /^[0-9a-zA-Z-]{1,127}$/;

/** The challenge Key Vault answers an unauthenticated request with (the SDK then asks its credential for a token). */
export const KEY_VAULT_CHALLENGE =
  'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"';

const kvError = (status: number, code: string, message: string) => new ArmError(status, code, message);

/**
 * Key Vault secrets (data plane, one vault at the simulator's root URL): set (new version), get (latest or a
 * version), list, list versions, delete (soft delete; GET/DELETE /deletedsecrets/{name} to read/purge).
 * Secret values never reach the journal or logs; with persistence on they are kept in `<stateDir>/keyvault.json`
 * (mode 0600), as Azurite keeps its data.
 */
export class SecretStore {
  private secrets = new Map<string, Secret>();
  private readonly changeListeners = new Set<() => void>();

  /** Called after every change (set, delete, purge, clear, load). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.changeListeners) l();
  }

  clear(): void {
    this.secrets.clear();
    this.changed();
  }

  /** Every secret with its versions (values included), as plain data (persistence). */
  snapshot(): Secret[] {
    return [...this.secrets.values()];
  }

  /** Replaces every secret with a snapshot's. */
  load(secrets: Secret[]): void {
    this.secrets = new Map(secrets.map((s) => [s.name.toLowerCase(), s]));
    this.changed();
  }

  /** Builds the route (journal op name, resource id) for a Key Vault request. */
  route(req: SimRequest): Route {
    const [collection, name, third] = req.segments;
    const vault = `${req.baseUrl}/`;
    const rid = `${vault}${req.segments.join('/')}`;
    const base = { resourceId: rid, resourceType: 'secrets', name };
    const m = req.method;
    if (collection === 'secrets') {
      if (!name && m === 'GET') return { ...base, op: 'secrets.list', exec: async () => this.list(vault) };
      if (name && !third && m === 'PUT')
        return { ...base, op: 'secrets.set', exec: async () => this.set(vault, name, req.body) };
      if (name && third === 'versions' && m === 'GET')
        return { ...base, op: 'secrets.listVersions', exec: async () => this.listVersions(vault, name) };
      if (name && m === 'GET') return { ...base, op: 'secrets.get', exec: async () => this.get(vault, name, third) };
      if (name && !third && m === 'DELETE')
        return { ...base, op: 'secrets.delete', exec: async () => this.delete(vault, name) };
    }
    if (collection === 'deletedsecrets' && name) {
      if (m === 'GET') return { ...base, op: 'secrets.getDeleted', exec: async () => this.getDeleted(vault, name) };
      if (m === 'DELETE') return { ...base, op: 'secrets.purgeDeleted', exec: async () => this.purge(name) };
    }
    throw kvError(400, 'BadParameter', `Method ${m} is not supported on ${req.url.pathname}.`);
  }

  private live(name: string): Secret | undefined {
    const s = this.secrets.get(name.toLowerCase());
    return s && s.deletedDate === undefined ? s : undefined;
  }

  private bundle(vault: string, s: Secret, v: SecretVersion, withValue: boolean): any {
    return {
      ...(withValue ? { value: v.value } : {}),
      id: `${vault}secrets/${s.name}/${v.version}`,
      ...(v.contentType ? { contentType: v.contentType } : {}),
      ...(v.tags ? { tags: v.tags } : {}),
      attributes: { enabled: v.enabled, created: v.created, updated: v.updated, ...RECOVERY },
    };
  }

  private set(vault: string, name: string, body: any): SimResponse {
    if (!NAME_RE.test(name)) throw kvError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
    if (typeof body?.value !== 'string') throw kvError(400, 'BadParameter', "Property 'value' is required.");
    const existing = this.secrets.get(name.toLowerCase());
    if (existing?.deletedDate !== undefined) {
      throw kvError(
        409,
        'Conflict',
        `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const v: SecretVersion = {
      version: randomBytes(16).toString('hex'),
      value: body.value,
      contentType: body.contentType,
      tags: body.tags,
      enabled: body.attributes?.enabled ?? true,
      created: now,
      updated: now,
    };
    const s = existing ?? { name, versions: [] };
    s.versions.push(v);
    this.secrets.set(name.toLowerCase(), s);
    this.changed();
    return { status: 200, body: this.bundle(vault, s, v, true) };
  }

  private get(vault: string, name: string, version?: string): SimResponse {
    const s = this.live(name);
    const v = version ? s?.versions.find((x) => x.version === version) : s?.versions[s.versions.length - 1];
    if (!s || !v) {
      throw kvError(
        404,
        'SecretNotFound',
        `A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.`,
      );
    }
    if (!v.enabled) throw kvError(403, 'Forbidden', `Operation get is not allowed on a disabled secret.`);
    return { status: 200, body: this.bundle(vault, s, v, true) };
  }

  private list(vault: string): SimResponse {
    const value = [...this.secrets.values()]
      .filter((s) => s.deletedDate === undefined)
      .map((s) => {
        const { id: _id, ...rest } = this.bundle(vault, s, s.versions[s.versions.length - 1], false);
        return { id: `${vault}secrets/${s.name}`, ...rest };
      });
    return { status: 200, body: { value, nextLink: null } };
  }

  private listVersions(vault: string, name: string): SimResponse {
    const s = this.live(name);
    if (!s) throw kvError(404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault.`);
    return { status: 200, body: { value: s.versions.map((v) => this.bundle(vault, s, v, false)), nextLink: null } };
  }

  private deletedBundle(vault: string, s: Secret): any {
    const latest = s.versions[s.versions.length - 1];
    const { value: _v, ...rest } = this.bundle(vault, s, latest, false);
    return {
      ...rest,
      recoveryId: `${vault}deletedsecrets/${s.name}`,
      deletedDate: s.deletedDate,
      scheduledPurgeDate: (s.deletedDate ?? 0) + 90 * 24 * 3600,
    };
  }

  private delete(vault: string, name: string): SimResponse {
    const s = this.live(name);
    if (!s) throw kvError(404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault.`);
    s.deletedDate = Math.floor(Date.now() / 1000);
    this.changed();
    return { status: 200, body: this.deletedBundle(vault, s) };
  }

  private getDeleted(vault: string, name: string): SimResponse {
    const s = this.secrets.get(name.toLowerCase());
    if (!s || s.deletedDate === undefined) throw kvError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    return { status: 200, body: this.deletedBundle(vault, s) };
  }

  private purge(name: string): SimResponse {
    const s = this.secrets.get(name.toLowerCase());
    if (!s || s.deletedDate === undefined) throw kvError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    this.secrets.delete(name.toLowerCase());
    this.changed();
    return { status: 204 };
  }
}
