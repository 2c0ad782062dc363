/** The relay's signature check, the tolerant QWK object parser and the per-node snapshot record (pure). */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config';
import { parseQwkObjectText } from '../../shared/monitoring/qwkObject';
import { nextSnapshotRecord, parseSnapshotBody } from '../../shared/monitoring/qwkSnapshot';
import { relayKeySecretName } from '../../shared/monitoring/relayKey';
import { signRelayRequest, verifyRelayRequest } from '../../shared/monitoring/relaySignature';

const KEY = 'a1'.repeat(32);
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const TS = String(NOW / 1000);
const BODY = Buffer.from('{"v":1}');

describe('verifyRelayRequest', () => {
  const good = { timestamp: TS, counter: '100', signature: signRelayRequest(KEY, TS, '100', BODY) };
  const cases: [string, Partial<Parameters<typeof verifyRelayRequest>[0]>, string | true][] = [
    ['good', {}, true],
    ['good, counter advances', { lastCounter: 99 }, true],
    ['good, 4 min 59 s late', { nowMs: NOW + 299_000 }, true],
    ['wrong secret', { key: 'b2'.repeat(32) }, 'signature'],
    ['tampered body', { body: Buffer.from('{"v":2}') }, 'signature'],
    ['tampered counter', { headers: { ...good, counter: '101' } }, 'signature'],
    ['tampered timestamp', { headers: { ...good, timestamp: String(NOW / 1000 + 1) } }, 'signature'],
    ['old timestamp (+5 min 1 s)', { nowMs: NOW + 301_000 }, 'timestamp'],
    ['future timestamp (-5 min 1 s)', { nowMs: NOW - 301_000 }, 'timestamp'],
    ['replayed counter', { lastCounter: 100 }, 'counter'],
    ['counter behind', { lastCounter: 1000 }, 'counter'],
    ['no signature', { headers: { ...good, signature: undefined } }, 'malformed'],
    ['signature not hex', { headers: { ...good, signature: 'sha256=zz' } }, 'malformed'],
    ['no timestamp', { headers: { ...good, timestamp: null } }, 'malformed'],
    ['counter not a number', { headers: { ...good, counter: '1e5' } }, 'malformed'],
  ];
  it.each(cases)('%s', (_label, over, expected) => {
    const v = verifyRelayRequest({ key: KEY, headers: good, body: BODY, nowMs: NOW, lastCounter: undefined, ...over });
    if (expected === true) expect(v).toEqual({ ok: true, timestampMs: NOW, counter: 100 });
    else expect(v).toMatchObject({ ok: false, reason: expected });
  });

  it('accepts the signature in either case of hex', () => {
    const upper = { ...good, signature: good.signature.replace(/^sha256=/, '').toUpperCase() };
    expect(
      verifyRelayRequest({
        key: KEY,
        headers: { ...upper, signature: `sha256=${upper.signature}` },
        body: BODY,
        nowMs: NOW,
        lastCounter: undefined,
      }).ok,
    ).toBe(true);
  });
});

const GUIDE = `signature=lifeguard_qwk_object
local_node=Clstr-nodeA
time=XXXXXXXXXXXXXX
sequence=52
node=Clstr-nodeB
commstat=UP
checksum=XXXXXXXXXXXXXX
`;

describe('parseQwkObjectText', () => {
  it("parses the guide's example object (§9)", () => {
    expect(parseQwkObjectText(GUIDE)).toEqual({
      ok: true,
      object: {
        localNode: 'Clstr-nodeA',
        sequence: 52,
        time: 'XXXXXXXXXXXXXX',
        checksum: 'XXXXXXXXXXXXXX',
        peers: [{ node: 'Clstr-nodeB', commstat: 'UP' }],
        extra: [],
        otherLines: [],
      },
    });
  });

  it('keeps unknown keys and odd lines, takes CRLF, several peers, a peer without commstat', () => {
    const r = parseQwkObjectText(
      'signature=lifeguard_qwk_object\r\nlocal_node=n1\r\nsequence=7\r\nversion=2\r\nnode=n2\r\ncommstat=DOWN\r\nnode=n3\r\nfree text\r\n',
    );
    expect(r).toEqual({
      ok: true,
      object: {
        localNode: 'n1',
        sequence: 7,
        peers: [{ node: 'n2', commstat: 'DOWN' }, { node: 'n3' }],
        extra: [{ key: 'version', value: '2' }],
        otherLines: ['free text'],
      },
    });
  });

  it('does not interpret time= or checksum=', () => {
    const r = parseQwkObjectText(GUIDE.replace('time=XXXXXXXXXXXXXX', 'time=Fri Dec 15 09:05:07 2023'));
    expect(r.ok && r.object.time).toBe('Fri Dec 15 09:05:07 2023');
  });

  it.each([
    ['empty', ''],
    ['no signature', GUIDE.split('\n').slice(1).join('\n')],
    ['other signature', GUIDE.replace('lifeguard_qwk_object', 'something_else')],
    ['no local_node', GUIDE.replace('local_node=Clstr-nodeA\n', '')],
    ['no sequence', GUIDE.replace('sequence=52\n', '')],
    ['sequence not a number', GUIDE.replace('sequence=52', 'sequence=5x2')],
    ['negative sequence', GUIDE.replace('sequence=52', 'sequence=-1')],
    ['truncated mid-write', GUIDE.slice(0, 40)],
    ['binary garbage', '\u0000\u0001\u0002'],
    ['node= without a name', GUIDE.replace('node=Clstr-nodeB', 'node=')],
  ])('refuses a damaged object: %s', (_l, text) => {
    const r = parseQwkObjectText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.length).toBeGreaterThan(3);
  });
});

describe('snapshots', () => {
  const route = { subscriptionId: '00000000-0000-0000-0000-000000000001', resourceGroup: 'rg1' };
  const body = (counter: number, seqA: number, seqB: number, t: string) =>
    Buffer.from(
      JSON.stringify({
        v: 1,
        ...route,
        witness: 'Witness-node',
        witnessTime: t,
        counter,
        objects: [
          { name: 'Clstr_nodeA', mtime: t, text: GUIDE.replace('sequence=52', `sequence=${seqA}`) },
          {
            name: 'Clstr_nodeB',
            mtime: t,
            text: `signature=lifeguard_qwk_object\nlocal_node=Clstr-nodeB\ntime=XXXXXXXXXXXXXX\nsequence=${seqB}\nnode=Clstr-nodeA\ncommstat=DOWN\nchecksum=1\n`,
          },
        ],
      }),
    );

  it('records per node: sequence, when it last advanced (witness clock), commstat, node=', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
    const o = { ...route, receivedAt: at(0) };
    const p1 = parseSnapshotBody(body(1, 10, 20, at(0)), route, 1);
    const p2 = parseSnapshotBody(body(2, 11, 20, at(5)), route, 2);
    if (!p1.ok || !p2.ok) throw new Error('parse');
    const r1 = nextSnapshotRecord(undefined, p1.snapshot, o);
    const r2 = nextSnapshotRecord(r1, p2.snapshot, o);
    expect(r2.counter).toBe(2);
    expect(r2.witnessTime).toBe(at(5));
    expect(r2.nodes).toEqual([
      {
        node: 'Clstr-nodeA',
        object: 'Clstr_nodeA',
        sequence: 11,
        lastAdvancedAt: at(5),
        advanceSeenAt: at(5),
        mtime: at(5),
        peers: [{ node: 'Clstr-nodeB', commstat: 'UP' }],
        time: 'XXXXXXXXXXXXXX',
      },
      {
        node: 'Clstr-nodeB',
        object: 'Clstr_nodeB',
        sequence: 20,
        lastAdvancedAt: at(0),
        advanceSeenAt: at(0),
        mtime: at(5),
        peers: [{ node: 'Clstr-nodeA', commstat: 'DOWN' }],
        time: 'XXXXXXXXXXXXXX',
      },
    ]);
  });

  it.each([
    ['not JSON', Buffer.from('{'), 400],
    ['wrong shape', Buffer.from('{"v":1}'), 400],
    ['other cluster', Buffer.from(body(1, 1, 1, '2026-01-01T00:00:00Z').toString().replace('rg1', 'rg2')), 400],
    ['counter differs from the header', body(2, 1, 1, '2026-01-01T00:00:00Z'), 400],
    [
      'an object that does not parse',
      Buffer.from(body(1, 1, 1, '2026-01-01T00:00:00Z').toString().replace('sequence=1', 'sequence=x')),
      422,
    ],
  ])('refuses a body: %s', (_l, raw, status) => {
    expect(parseSnapshotBody(raw, route, 1)).toMatchObject({ ok: false, status });
  });

  it('names the relay key per cluster, case-insensitively, within Key Vault limits', () => {
    expect(relayKeySecretName('ABCDEF12-0000-0000-0000-000000000001', 'LKL-QWK-storage')).toBe(
      'lkl-qwk-storage-abcdef12-qwk-relay-key',
    );
    expect(relayKeySecretName('abcdef12-0000-0000-0000-000000000001', 'lkl-qwk-storage')).toBe(
      relayKeySecretName('ABCDEF12-0000-0000-0000-000000000001', 'LKL-QWK-STORAGE'),
    );
    const long = relayKeySecretName('abcdef12-0000-0000-0000-000000000001', 'r'.repeat(90) + '.(x)');
    expect(long.length).toBeLessThanOrEqual(127);
    expect(long).toMatch(/^[0-9a-zA-Z-]+$/);
  });
});

describe('QWK_PUBLIC_URL', () => {
  it.each([
    [{ QWK_PUBLIC_URL: 'https://ops.example.com/' }, 'https://ops.example.com'],
    [{ WEBSITE_HOSTNAME: 'myapp.azurewebsites.net' }, 'https://myapp.azurewebsites.net'],
    [{ QWK_PUBLIC_URL: 'https://a.test', WEBSITE_HOSTNAME: 'myapp.azurewebsites.net' }, 'https://a.test'],
    [{}, undefined],
  ])('%o → %s', (env, expected) => {
    expect(loadConfig(env).publicUrl).toBe(expected);
  });

  it('refuses a URL that is not https', () => {
    expect(() => loadConfig({ QWK_PUBLIC_URL: 'http://plain.example' })).toThrow(/QWK_PUBLIC_URL must be an https/);
  });
});
