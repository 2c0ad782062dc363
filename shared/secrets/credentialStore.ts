/**
 * The clusters' admin credentials in Key Vault: get-or-create by secret name. Values never leave this module
 * except to the caller that puts them into an ARM body or a Run Command parameter.
 */
import type { SecretClient } from '@azure/keyvault-secrets';
import { isNotFound } from '../azure/errors';
import { GENERATED_SECRETS } from '../names';
import type { CredentialKind } from '../plan';
import { MANAGED_BY_TAG } from '../spec/seedDefaults';
import { generatePassword, generateRelayKey, generateSshKeyPair } from './adminCredentials';

/** The tag every secret the app generates carries, as every resource does. */
const MANAGED_BY = { [MANAGED_BY_TAG.name]: MANAGED_BY_TAG.value };

/** The secret's current value, or undefined when it does not exist. */
export async function readSecretIfExists(client: SecretClient, name: string): Promise<string | undefined> {
  try {
    return (await client.getSecret(name)).value;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Creates the credential unless it exists. Returns whether it was created (no value). */
export async function ensureAdminCredential(
  client: SecretClient,
  secretName: string,
  kind: CredentialKind,
): Promise<{ created: boolean }> {
  if (kind === 'password' || kind === 'hmacKey') {
    if (await readSecretIfExists(client, secretName)) return { created: false };
    await client.setSecret(secretName, kind === 'password' ? generatePassword() : generateRelayKey(), {
      contentType: 'text/plain',
      tags: MANAGED_BY,
    });
    return { created: true };
  }
  const [priv, pub] = await Promise.all([
    readSecretIfExists(client, secretName),
    readSecretIfExists(client, GENERATED_SECRETS.publicKey(secretName)),
  ]);
  if (priv && pub) return { created: false };
  const pair = await generateSshKeyPair(`qwk-ops:${secretName}`);
  // Public half last: its presence marks a complete pair, so a crash between the two writes regenerates both.
  await client.setSecret(secretName, pair.privateKeyPem, {
    contentType: 'application/x-pem-file',
    tags: MANAGED_BY,
  });
  await client.setSecret(GENERATED_SECRETS.publicKey(secretName), pair.publicKey, {
    contentType: 'text/plain',
    tags: MANAGED_BY,
  });
  return { created: true };
}

/** What a VM body needs: the public key, or the password. */
export async function readVmCredential(
  client: SecretClient,
  secretName: string,
  kind: CredentialKind,
): Promise<{ publicKey: string } | { password: string }> {
  const name = kind === 'sshKey' ? GENERATED_SECRETS.publicKey(secretName) : secretName;
  const value = await readSecretIfExists(client, name);
  if (!value) throw new Error(`Key Vault secret '${name}' is missing: the credentials step must run first`);
  return kind === 'sshKey' ? { publicKey: value } : { password: value };
}
