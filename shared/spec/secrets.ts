/**
 * Secrets never appear in a cluster spec: they are generated into Key Vault or referenced by secret name.
 * This module recognises field names and values that look like secret material so the parser can refuse them
 * with a message that says where the secret belongs instead.
 */

/** Field names that hold secret material (a field ending in `SecretName` is a reference, which is fine). */
const SECRET_KEY_PATTERN =
  /(pass(word|wd|phrase)?|pwd|secret|private.?key|public.?key|key.?data|ssh.?key|sas|token|credential|connection.?string|account.?key|license.?key|api.?key)/i;

export function isSecretLikeKey(key: string): boolean {
  return !/SecretName$/.test(key) && SECRET_KEY_PATTERN.test(key);
}

const SECRET_VALUE_PATTERNS: { pattern: RegExp; what: string }[] = [
  { pattern: /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/, what: 'a PEM private key or certificate' },
  { pattern: /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+|sk-\S+@openssh\.com) AAAA/, what: 'SSH key data' },
  { pattern: /[?&]sig=[^&\s]+/i, what: 'a URL carrying a SAS token (sig=…)' },
  { pattern: /AccountKey=|SharedAccessKey=/i, what: 'a connection string with an account key' },
];

/** What kind of secret `value` looks like, or null. */
export function secretLikeValue(value: string): string | null {
  return SECRET_VALUE_PATTERNS.find(({ pattern }) => pattern.test(value))?.what ?? null;
}

export const SECRET_ADVICE =
  'secrets never go in a cluster spec (it is stored in the deployment history): admin credentials are generated ' +
  'into Key Vault (keyVault.adminCredentialsSecretName), and operator secrets are stored in Key Vault first and ' +
  'referenced by name (lifeKeeper.licenseSecretName, lifeKeeper.installerSasSecretName)';

export interface PathValue {
  path: (string | number)[];
  value: unknown;
}

/** Every string leaf of `input` with its path. */
export function stringLeaves(input: unknown, path: (string | number)[] = []): PathValue[] {
  if (typeof input === 'string') return [{ path, value: input }];
  if (Array.isArray(input)) return input.flatMap((item, i) => stringLeaves(item, [...path, i]));
  if (input !== null && typeof input === 'object') {
    return Object.entries(input).flatMap(([key, item]) => stringLeaves(item, [...path, key]));
  }
  return [];
}
