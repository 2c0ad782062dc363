/** Whether a Key Vault secret exists, for precondition checks (the value is read and dropped). */
import type { SecretClient } from '@azure/keyvault-secrets';
import type { SecretExistence } from '../deployments/preconditions';
import { readSecretIfExists } from './credentialStore';

export function keyVaultSecretExistence(client: SecretClient): SecretExistence {
  return { exists: async (name) => (await readSecretIfExists(client, name)) !== undefined };
}
