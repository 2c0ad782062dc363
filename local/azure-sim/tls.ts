import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface SimCertificates {
  caPem: string;
  /** The CA's private key (PEM): the simulator issues further server certificates with it (VM egress). */
  caKeyPem: string;
  caFile: string;
  certPem: string;
  keyPem: string;
}

/**
 * Generates a throw-away CA and a server certificate it signs (SAN 127.0.0.1 and localhost), and writes the CA
 * certificate to `<stateDir>/ca.pem` so SDK clients can trust it through `tlsOptions: { ca }`.
 */
export async function createCertificates(stateDir: string): Promise<SimCertificates> {
  const now = new Date();
  const until = new Date(now.getTime() + 30 * 24 * 3600e3);
  const notBefore = new Date(now.getTime() - 3600e3);
  const ca = await generate([{ name: 'commonName', value: 'qwk-ops Azure simulator CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: until,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: until,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  mkdirSync(stateDir, { recursive: true });
  const caFile = path.join(stateDir, 'ca.pem');
  writeFileSync(caFile, ca.cert);
  return { caPem: ca.cert, caKeyPem: ca.private, caFile, certPem: server.cert, keyPem: server.private };
}
