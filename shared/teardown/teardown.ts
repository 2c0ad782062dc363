/**
 * Tearing a cluster down (DELETE /api/clusters/{subscriptionId}/{resourceGroup}): the confirmation the request must
 * carry, the generated secrets that go with the cluster, and what travels through the teardownCluster orchestration.
 * Pure. Nothing here holds a secret value — only Key Vault secret names.
 */
import type { RetryPolicy } from '../config';
import type { ClusterRef } from '../deployments/contracts';
import type { FieldError } from '../spec';
import { GENERATED_SECRETS } from '../names';
import { relayKeySecretName } from '../monitoring/relayKey';
import { toSecretNameFragment } from '../spec/azureNames';

/** The request header that must repeat the resource group's name. */
export const CONFIRM_HEADER = 'x-qwk-confirm';

/** Why the confirmation does not hold (undefined: it does). ARM compares resource group names case-insensitively. */
export function confirmationError(resourceGroup: string, header: string | null | undefined): FieldError | undefined {
  if (header === null || header === undefined || header.trim() === '')
    return {
      path: `headers.${CONFIRM_HEADER}`,
      message: `repeat the resource group's name in the '${CONFIRM_HEADER}' header to confirm (nothing was deleted)`,
    };
  if (header.trim().toLowerCase() !== resourceGroup.toLowerCase())
    return {
      path: `headers.${CONFIRM_HEADER}`,
      message: `'${CONFIRM_HEADER}: ${header}' does not name the resource group '${resourceGroup}' (nothing was deleted)`,
    };
  return undefined;
}

/** `?deleteResources=true|false` (absent: false); anything else is an error. */
export function parseDeleteResources(
  value: string | null,
): { ok: true; value: boolean } | { ok: false; error: FieldError } {
  if (value === null || value === '' || value === 'false') return { ok: true, value: false };
  if (value === 'true') return { ok: true, value: true };
  return { ok: false, error: { path: 'query.deleteResources', message: `must be 'true' or 'false', not '${value}'` } };
}

/**
 * The Key Vault secrets a deployment of this resource group generates under their default names: the admin
 * credential (either kind, with the public half of a key pair), the cluster key pair beside an admin password, the
 * PostgreSQL password and the QWK relay key. Secrets the spec named itself (keyVault.*SecretName) are the operator's
 * and are kept, as are operator secrets such as the LifeKeeper license.
 */
export function generatedSecretNames(subscriptionId: string, resourceGroup: string): string[] {
  const stem = toSecretNameFragment(resourceGroup);
  const sshKey = GENERATED_SECRETS.adminCredentials(stem, 'sshKey');
  const password = GENERATED_SECRETS.adminCredentials(stem, 'password');
  const clusterKey = GENERATED_SECRETS.clusterSshKey(password);
  return [
    sshKey,
    GENERATED_SECRETS.publicKey(sshKey),
    password,
    clusterKey,
    GENERATED_SECRETS.publicKey(clusterKey),
    GENERATED_SECRETS.postgresPassword(stem),
    relayKeySecretName(subscriptionId, resourceGroup),
  ];
}

export interface TeardownInput {
  teardownId: string;
  cluster: ClusterRef;
  deleteResources: boolean;
  /** Names only (generatedSecretNames); empty unless deleteResources. */
  secretNames: string[];
  retry: RetryPolicy;
}

export interface DeregisterInput {
  subscriptionId: string;
  resourceGroup: string;
}

/** What one look at the resource group saw. */
export type ResourceGroupLook = { exists: false } | { exists: true; provisioningState: string };

export interface DeleteSecretsResult {
  deleted: string[];
  absent: string[];
}
