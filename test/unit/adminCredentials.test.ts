import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatePassword, generateSshKeyPair } from '../../shared/secrets/adminCredentials';

describe('generateSshKeyPair', () => {
  it('produces an OpenSSH public key that matches the private key', async () => {
    const pair = await generateSshKeyPair('test');
    const [type, b64, comment] = pair.publicKey.split(' ');
    expect(type).toBe('ssh-rsa');
    expect(comment).toBe('test');
    const blob = Buffer.from(b64, 'base64');
    const fields: Buffer[] = [];
    for (let off = 0; off < blob.length;) {
      const len = blob.readUInt32BE(off);
      fields.push(blob.subarray(off + 4, off + 4 + len));
      off += 4 + len;
    }
    expect(fields[0].toString()).toBe('ssh-rsa');
    const jwk = createPublicKey(pair.privateKeyPem).export({ format: 'jwk' });
    const strip = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b);
    expect(strip(fields[1]).toString('base64url')).toBe(jwk.e);
    expect(strip(fields[2]).toString('base64url')).toBe(jwk.n);
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
  });
});

describe('generatePassword', () => {
  it('has every character class and the requested length, and differs each time', () => {
    const a = generatePassword();
    expect(a).toHaveLength(24);
    for (const re of [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(a).toMatch(re);
    expect(generatePassword()).not.toBe(a);
  });
});
