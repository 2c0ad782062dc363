/**
 * Generation of the clusters' admin credentials. They go straight into Key Vault from the activity that makes
 * them; only secret *names* travel through orchestrations.
 */
import { generateKeyPair, randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface SshKeyPair {
  /** OpenSSH public key line: `ssh-rsa AAAA... comment`. */
  publicKey: string;
  /** PKCS#1 PEM, which OpenSSH reads. */
  privateKeyPem: string;
}

/** RSA 3072: generated on libuv's thread pool (a synchronous generation blocks the worker for a second or more). */
export async function generateSshKeyPair(comment = 'qwk-ops'): Promise<SshKeyPair> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 3072, publicExponent: 0x10001 });
  const jwk = publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshMpint(b64url(jwk.e!)), sshMpint(b64url(jwk.n!))]);
  return {
    publicKey: `ssh-rsa ${blob.toString('base64')} ${comment}`,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
  };
}

function b64url(s: string): Buffer {
  return Buffer.from(s, 'base64url');
}

function sshString(buf: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length);
  return Buffer.concat([len, buf]);
}

/** RFC 4251 mpint: big-endian two's complement, leading zero byte when the high bit is set. */
function sshMpint(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  let body = unsigned.subarray(i);
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return sshString(body);
}

const CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!@#%^*-_=+'];

/** A password meeting Azure's Linux VM rules (12–72 chars, 3 of 4 classes) — here 24 chars, all 4 classes. */
export function generatePassword(length = 24): string {
  const all = CLASSES.join('');
  const chars = CLASSES.map((c) => c[randomInt(c.length)]);
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

/** A QWK relay key: 32 random bytes as 64 hex digits (the HMAC key is this text's bytes). */
export function generateRelayKey(): string {
  return randomBytes(32).toString('hex');
}
