/**
 * The QWK relay (Monitoring 2/5): the install step, the exact systemd unit, the program itself (shellcheck, its
 * HMAC and JSON helpers against Node's, and a real run against an HTTPS server on 127.0.0.1 whose requests pass the
 * app's own signature check and body parser).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificates } from '../../local/azure-sim/tls';
import { parseSnapshotBody } from '../../shared/monitoring/qwkSnapshot';
import { verifyRelayRequest } from '../../shared/monitoring/relaySignature';
import {
  buildQwkRelay,
  RELAY_PROGRAM,
  relayConfigFile,
  relayIngestUrl,
  relayUnitFile,
  SECRET_PARAMETERS,
} from '../../shared/scripts';
import { RELAY_TARGET, seedParams } from './scriptsFixture';

const dir = mkdtempSync(join(tmpdir(), 'qwk-relay-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;

const GUIDE_OBJECT = (node: string, peer: string, seq: number) =>
  `signature=lifeguard_qwk_object\nlocal_node=${node}\ntime=20231215090507\nsequence=${seq}\nnode=${peer}\ncommstat=UP\nchecksum=1234567890\n`;

/** The program's own function `name`, cut out of its text, run by bash with `script` after it. */
function runFunction(name: string, script: string, env: Record<string, string> = {}): string {
  const m = new RegExp(`^${name}\\(\\) \\{[\\s\\S]*?^\\}`, 'm').exec(RELAY_PROGRAM);
  if (!m) throw new Error(`no function ${name}`);
  const r = spawnSync('bash', ['-c', `set -uo pipefail\ndie() { echo "$*" >&2; exit 1; }\n${m[0]}\n${script}`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe('the relay install step', () => {
  const step = buildQwkRelay(seedParams(), RELAY_TARGET);

  it('takes its key only from the protected parameter, never in the text', () => {
    expect(step.name).toBe('witness-qwk-relay');
    expect(step.secrets).toEqual([{ name: SECRET_PARAMETERS.relayKey, required: true }]);
    expect(step.script).toContain(`printf '%s' "\${QWK_RELAY_KEY}" >"$keytmp"`);
    expect(step.script.match(/QWK_RELAY_KEY\b/g)).toHaveLength(2); // the check and the printf builtin
    expect(step.script).toContain("ensure_mode '/etc/qwk-relay/relay.key' 600");
    expect(step.script).toContain("ensure_dir '/etc/qwk-relay' 700");
  });

  it('installs the program, the configuration and the unit, and starts the service', () => {
    expect(step.script).toContain(RELAY_PROGRAM.trimEnd());
    expect(step.script).toContain(relayUnitFile().trimEnd());
    expect(step.script).toContain('ensure_service_running "$unit"');
    expect(step.script).toContain('qwk_run systemctl restart "$unit"');
  });

  it('writes the exact systemd unit', () => {
    expect(relayUnitFile()).toBe(
      [
        '[Unit]',
        'Description=qwk-ops QWK relay: publishes the QWK objects of the witness share to qwk-ops',
        'Wants=network-online.target',
        'After=network-online.target nfs-server.service',
        'StartLimitIntervalSec=0',
        '',
        '[Service]',
        'Type=simple',
        'ExecStart=/usr/local/sbin/qwk-relay /etc/qwk-relay/relay.conf',
        'Restart=on-failure',
        'RestartSec=5',
        'UMask=0077',
        'RuntimeDirectory=qwk-relay',
        'RuntimeDirectoryMode=0700',
        'StateDirectory=qwk-relay',
        'StateDirectoryMode=0700',
        'NoNewPrivileges=yes',
        'PrivateTmp=yes',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
    );
  });

  it('configures the ingest URL, interval and share', () => {
    const conf = relayConfigFile(
      seedParams((p) => (p.monitoring = { relayIntervalSeconds: 7 })),
      RELAY_TARGET,
    );
    expect(conf.split('\n').slice(1)).toEqual([
      'QWK_RELAY_URL=https://qwk-ops.azurewebsites.net/api/clusters/00000000-0000-0000-0000-000000000001/LKL-QWK-storage/qwk',
      'QWK_RELAY_INTERVAL=7',
      'QWK_RELAY_SHARE=/root/qwkshare',
      'QWK_RELAY_SUBSCRIPTION=00000000-0000-0000-0000-000000000001',
      'QWK_RELAY_RESOURCE_GROUP=LKL-QWK-storage',
      'QWK_RELAY_KEY_FILE=/etc/qwk-relay/relay.key',
      '',
    ]);
    expect(() => relayConfigFile(seedParams(), { ...RELAY_TARGET, publicUrl: 'http://plain.example' })).toThrow(
      /https/,
    );
    expect(relayIngestUrl({ ...RELAY_TARGET, publicUrl: 'https://a.test/' })).toBe(
      'https://a.test/api/clusters/00000000-0000-0000-0000-000000000001/LKL-QWK-storage/qwk',
    );
  });
});

describe('the relay program', () => {
  it.skipIf(!shellcheck)('passes shellcheck', () => {
    const file = join(dir, 'qwk-relay');
    writeFileSync(file, RELAY_PROGRAM);
    const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    ['short key', 'abc'],
    ['generated key', '0123456789abcdef'.repeat(4)],
  ])('computes HMAC-SHA256 like Node (%s)', (_l, key) => {
    const body = Buffer.concat([Buffer.from('1700000000\n42\n{"x":"é"}'), Buffer.from([0, 1, 255, 10])]);
    const file = join(dir, 'msg');
    writeFileSync(file, body);
    const got = runFunction('hmac_sha256_hex', `KEY=$(<"$F"); hmac_sha256_hex "$M"`, {
      F: join(dir, 'key'),
      M: file,
      ...(writeFileSync(join(dir, 'key'), key), {}),
    });
    expect(got).toBe(createHmac('sha256', key).update(body).digest('hex'));
  });

  it('escapes text as JSON strings', () => {
    for (const s of ['plain', 'a"b\\c', 'line1\nline2\r\n\ttab', 'ctl\u0001\u001f', 'ünï', '']) {
      const out = runFunction('json_str', 'json_str "$S"', { S: s });
      expect(JSON.parse(out)).toBe(s);
    }
  });

  describe('posting to an HTTPS server', () => {
    let server: Server;
    let relay: ChildProcess;
    const received: { headers: Record<string, string | string[] | undefined>; body: Buffer; at: number }[] = [];
    const KEY = 'f'.repeat(64);
    let stderr = '';

    beforeAll(async () => {
      const certs = await createCertificates(join(dir, 'ca'));
      server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
          res.writeHead(received.length === 2 ? 500 : 202, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;
      const share = join(dir, 'share');
      mkdirSync(share);
      writeFileSync(join(share, 'Clstr_nodeA'), GUIDE_OBJECT('Clstr-nodeA', 'Clstr-nodeB', 52));
      writeFileSync(join(share, 'Clstr_nodeB'), GUIDE_OBJECT('Clstr-nodeB', 'Clstr-nodeA', 50));
      writeFileSync(join(share, 'Clstr_nodeA.sim-tmp'), 'half-written');
      writeFileSync(join(dir, 'relay.key'), KEY, { mode: 0o600 });
      const conf = relayConfigFile(
        seedParams((p) => {
          p.qwk.sharePath = share;
          p.monitoring = { relayIntervalSeconds: 1 };
        }),
        { ...RELAY_TARGET, publicUrl: `https://127.0.0.1:${port}` },
      ).replace('/etc/qwk-relay/relay.key', join(dir, 'relay.key'));
      writeFileSync(join(dir, 'relay.conf'), conf);
      writeFileSync(join(dir, 'qwk-relay'), RELAY_PROGRAM, { mode: 0o755 });
      relay = spawn('bash', [join(dir, 'qwk-relay'), join(dir, 'relay.conf')], {
        env: {
          PATH: process.env.PATH,
          CURL_CA_BUNDLE: certs.caFile,
          STATE_DIRECTORY: join(dir, 'state'),
          RUNTIME_DIRECTORY: join(dir, 'run'),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      relay.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    });

    afterAll(async () => {
      relay?.kill('SIGKILL');
      await new Promise((r) => server?.close(r));
    });

    it('posts signed snapshots every interval, keeps going after a failure, and logs the failure', async () => {
      const deadline = Date.now() + 30_000;
      while (received.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(received.length, stderr).toBeGreaterThanOrEqual(4);
      let last = -1;
      for (const r of received) {
        const h = (n: string) => r.headers[n] as string | undefined;
        const v = verifyRelayRequest({
          key: KEY,
          headers: { timestamp: h('x-qwk-timestamp'), counter: h('x-qwk-counter'), signature: h('x-qwk-signature') },
          body: r.body,
          nowMs: Date.now(),
          lastCounter: last < 0 ? undefined : last,
        });
        expect(v.ok, JSON.stringify(v)).toBe(true);
        if (!v.ok) return;
        last = v.counter;
        const parsed = parseSnapshotBody(r.body, RELAY_TARGET, v.counter);
        expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.snapshot.objects.map((o) => o.name)).toEqual(['Clstr_nodeA', 'Clstr_nodeB']);
        expect(parsed.snapshot.objects[0].text).toBe(GUIDE_OBJECT('Clstr-nodeA', 'Clstr-nodeB', 52));
        expect(parsed.snapshot.objects[1].parsed).toMatchObject({ localNode: 'Clstr-nodeB', sequence: 50 });
      }
      const gaps = received.slice(1).map((r, i) => r.at - received[i].at);
      console.log('relay intervals (ms):', gaps.join(', '));
      for (const g of gaps) expect(Math.abs(g - 1000)).toBeLessThan(900);
      expect(stderr).toMatch(/answered HTTP 500/);
    });
  });
});
