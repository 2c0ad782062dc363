/** Whether a Key Vault secret exists, for precondition checks (the value is read and dropped). */
import type { SecretClient } from '@azure/keyvault-secrets';
import { readSecretIfExists } from './credentialStore';

/** Reads a Key Vault secret's existence (never its value into anything returned). */
export interface SecretExistence {
  exists(name: string): Promise<boolean>;
}

export function keyVaultSecretExistence(client: SecretClient): SecretExistence {
  return { exists: async (name) => (await readSecretIfExists(client, name)) !== undefined };
}
