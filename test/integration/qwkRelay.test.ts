/**
 * Monitoring 2/5 end to end on the local stack: the default deployment installs the QWK relay on the witness; its
 * signed snapshots reach POST /api/clusters/{sub}/{rg}/qwk through the simulated NAT gateway and land in table
 * qwksnapshots every relayIntervalSeconds; relayDown and a powered-off witness stop them; the ingest route refuses
 * bad input with a clear 4xx and stores nothing; the relay key appears in no log, history, status or table.
 *
 * Two clusters are deployed at once, so that the scenarios, which mostly wait on the relay's interval, run two at a
 * time: on cluster A faults inside the cluster while the relay runs (isolateNode, witnessDown); on cluster B the
 * relay and the witness stop and start (relayDown, bad input while the row is still, power off, an isolated witness).
 */
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimVmRuntime } from '../../local/azure-sim/vm';
import { LOCAL_SUBSCRIPTION_ID } from '../../local/stack';
import { relayKeySecretName } from '../../shared/monitoring/relayKey';
import { signRelayRequest } from '../../shared/monitoring/relaySignature';
import { post, seedSpec, startConfigStack, waitForDeployment, type Api } from '../support/deployments';
import { makeSimClients, type SimClients } from '../support/simClients';

const KEY = 'relay-function-key';
/** A: faults inside the cluster while its relay runs. B: its relay and its witness stop, start, lose their network. */
const RG_A = 'qwk-relay';
const RG_B = 'qwk-relay-b';
const SUB = LOCAL_SUBSCRIPTION_ID;
const vmId = (rg: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
const witness = (rg: string) => vmId(rg, 'Witness-node');
const INTERVAL_S = 5;

let stack: Awaited<ReturnType<typeof startConfigStack>>;
let api: Api;
let arm: SimClients;
let rt: SimVmRuntime;
let table: TableClient;
const relayKeys: Record<string, string> = {};
const deploymentIds: Record<string, string> = {};

interface Row {
  etag: string;
  counter: number;
  receivedAt: string;
  witnessTime: string;
  nodes: string;
}

async function row(rg: string): Promise<Row | undefined> {
  try {
    return await table.getEntity<Row>(SUB, rg);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Snap {
  counter: number;
  receivedAt: number;
  nodes: any[];
}

/**
 * Every distinct snapshot of cluster `rg` seen while polling for `ms`, or until `enough` holds for those seen (a
 * window that shows something arrives ends as soon as it has; one that shows nothing arrives runs to its end).
 */
async function watch(rg: string, ms: number, enough?: (seen: Snap[]) => boolean): Promise<Snap[]> {
  const seen = new Map<number, Snap>();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const r = await row(rg);
    if (r && !seen.has(r.counter)) {
      seen.set(r.counter, {
        counter: r.counter,
        receivedAt: Date.parse(r.receivedAt),
        nodes: JSON.parse(r.nodes) as any[],
      });
      if (enough?.([...seen.values()])) break;
    }
    await sleep(200);
  }
  return [...seen.values()];
}

beforeAll(async () => {
  stack = await startConfigStack({
    timeScale: 0.005,
    functionKey: KEY,
    settings: { QWK_RETRY_BASE_MS: '50', QWK_RETRY_CAP_MS: '500' },
  });
  api = { baseUrl: stack.host!.baseUrl, key: KEY };
  arm = makeSimClients(stack.sim, SUB);
  rt = stack.runtime;
  table = TableClient.fromConnectionString(stack.settings.AzureWebJobsStorage, 'qwksnapshots', {
    allowInsecureConnection: true,
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the QWK relay after a default deployment', () => {
  it('is installed by the deployment (two clusters deployed at once)', async () => {
    await Promise.all(
      [RG_A, RG_B].map(async (rg) => {
        const res = await post(api, seedSpec({ resourceGroup: rg }));
        expect(res.status).toBe(202);
        deploymentIds[rg] = res.json.id as string;
      }),
    );
    for (const rg of [RG_A, RG_B]) {
      const view = await waitForDeployment(api, deploymentIds[rg], 600_000);
      expect(view.error, rg).toBeUndefined();
      expect(view.runtimeStatus, rg).toBe('Completed');
      expect(view.steps.find((s: any) => s.name === 'configure:Witness-node:witness-qwk-relay')?.status, rg).toBe(
        'succeeded',
      );
      const relayKey = (await arm.secrets.getSecret(relayKeySecretName(SUB, rg))).value!;
      expect(relayKey).toMatch(/^[0-9a-f]{64}$/);
      relayKeys[rg] = relayKey;

      const fsDir = rt.sandboxPath(witness(rg));
      expect(statSync(path.join(fsDir, 'etc/qwk-relay/relay.key')).mode & 0o777).toBe(0o600);
      expect(readFileSync(path.join(fsDir, 'etc/qwk-relay/relay.key'), 'utf8')).toBe(relayKey);
      expect(
        rt
          .services(witness(rg))
          .filter((s) => s.running)
          .map((s) => s.unit),
      ).toEqual(['qwk-relay.service']);
    }
    expect(relayKeys[RG_A]).not.toBe(relayKeys[RG_B]);
  }, 700_000);

  const seq = (s: { nodes: any[] }, node: string) => s.nodes.find((n) => n.node === node)?.sequence as number;

  // The two describes run at the same time, each its own tests in order (one cluster each).
  describe.concurrent('cluster A: faults inside the cluster while the relay runs', () => {
    const WITNESS = witness(RG_A);

    it.sequential(
      "snapshots arrive every relayIntervalSeconds, and every node's object advances",
      async () => {
        const snaps = await watch(RG_A, INTERVAL_S * 1000 * 4 + 2_000, (seen) => seen.length >= 4);
        expect(snaps.length, rt.serviceJournal(WITNESS, 'qwk-relay.service')).toBeGreaterThanOrEqual(3);
        const gaps = snaps.slice(1).map((s, i) => (s.receivedAt - snaps[i].receivedAt) / 1000);
        const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
        console.log(
          `relay snapshot intervals (s): ${gaps.map((g) => g.toFixed(2)).join(', ')}; mean ${mean.toFixed(2)}`,
        );
        // The relay keeps a fixed rate (a late POST makes the next wait shorter), but each arrival also carries the
        // POST's own latency, which a loaded machine stretches (one gap of 6.02 s was seen at load 25): the cadence
        // is checked on the mean, and no snapshot may be missing (a gap of two intervals); single gaps are printed.
        expect(Math.abs(mean - INTERVAL_S)).toBeLessThanOrEqual(1);
        for (const g of gaps) expect(g).toBeLessThan(2 * INTERVAL_S);
        const first = snaps[0].nodes;
        const last = snaps[snaps.length - 1].nodes;
        for (const node of ['Clstr-nodeA', 'Clstr-nodeB']) {
          const a = first.find((n) => n.node === node);
          const b = last.find((n) => n.node === node);
          expect(a, node).toBeDefined();
          expect(b.sequence).toBeGreaterThan(a.sequence);
          expect(Date.parse(b.lastAdvancedAt)).toBeGreaterThan(Date.parse(a.lastAdvancedAt));
          expect(b.peers).toEqual([{ node: node === 'Clstr-nodeA' ? 'Clstr-nodeB' : 'Clstr-nodeA', commstat: 'UP' }]);
        }
      },
      60_000,
    );

    it.sequential(
      "isolateNode on nodeA: nodeA's object stops advancing while snapshots keep arriving from the witness",
      async () => {
        // (the simulator's isolateNode of this branch; Monitoring 1/5 adds it to the cluster fault API)
        await rt.isolateNode(vmId(RG_A, 'Clstr-nodeA'));
        const faultAt = Date.now();
        // only snapshots the relay read after the fault (the row may still hold one from before it)
        const after = (seen: Snap[]) => seen.filter((x) => x.receivedAt > faultAt + 1_000);
        const snaps = after(await watch(RG_A, INTERVAL_S * 1000 * 3 + 1_000, (seen) => after(seen).length >= 3));
        expect(snaps.length).toBeGreaterThanOrEqual(3);
        const [first, last] = [snaps[0], snaps[snaps.length - 1]];
        expect(seq(last, 'Clstr-nodeA')).toBe(seq(first, 'Clstr-nodeA'));
        expect(last.nodes.find((n) => n.node === 'Clstr-nodeA').lastAdvancedAt).toBe(
          first.nodes.find((n) => n.node === 'Clstr-nodeA').lastAdvancedAt,
        );
        expect(seq(last, 'Clstr-nodeB')).toBeGreaterThan(seq(first, 'Clstr-nodeB'));
      },
      60_000,
    );

    it.sequential(
      'witnessDown: snapshots keep arriving but the objects no longer change',
      async () => {
        await rt.witnessDown(WITNESS);
        const faultAt = Date.now();
        const after = (seen: Snap[]) => seen.filter((x) => x.receivedAt > faultAt + 1_000);
        const snaps = after(await watch(RG_A, INTERVAL_S * 1000 * 3 + 1_000, (seen) => after(seen).length >= 3));
        expect(snaps.length).toBeGreaterThanOrEqual(3);
        const [first, last] = [snaps[0], snaps[snaps.length - 1]];
        for (const node of ['Clstr-nodeA', 'Clstr-nodeB']) expect(seq(last, node)).toBe(seq(first, node));
      },
      60_000,
    );
  });

  describe.concurrent('cluster B: the relay and the witness stop, start, and lose their network', () => {
    const WITNESS = witness(RG_B);

    it.sequential(
      'relayDown: snapshots stop although the witness runs',
      async () => {
        // its relay ran: a snapshot arrived
        await watch(RG_B, INTERVAL_S * 1000 * 3, (seen) => seen.length >= 1);
        expect(rt.stopServices(WITNESS, 'qwk-relay')).toEqual(['qwk-relay.service']);
        await sleep(1_500); // a POST in flight may still land
        const before = (await row(RG_B))!;
        const snaps = await watch(RG_B, INTERVAL_S * 1000 * 2 + 1_000);
        expect(snaps.map((s) => s.counter)).toEqual([before.counter]);
        expect(rt.powerState(WITNESS)).toBe('running');
      },
      60_000,
    );

    describe('the ingest route refuses bad input and stores nothing (while the relay is down)', () => {
      const url = (sub = SUB, rg = RG_B) => `${api.baseUrl}/api/clusters/${sub}/${rg}/qwk`;
      const now = () => String(Math.floor(Date.now() / 1000));
      const body = (counter: number, extra: Record<string, unknown> = {}) =>
        JSON.stringify({
          v: 1,
          subscriptionId: SUB,
          resourceGroup: RG_B,
          witnessTime: new Date().toISOString(),
          counter,
          objects: [
            {
              name: 'Clstr_nodeA',
              mtime: new Date().toISOString(),
              text: 'signature=lifeguard_qwk_object\nlocal_node=Clstr-nodeA\ntime=1\nsequence=999999\nnode=Clstr-nodeB\ncommstat=UP\nchecksum=1\n',
            },
          ],
          ...extra,
        });
      const signed = (o: { key?: string; ts?: string; counter: number; text: string; signedText?: string }) => {
        const ts = o.ts ?? now();
        return {
          'content-type': 'application/json',
          'x-qwk-timestamp': ts,
          'x-qwk-counter': String(o.counter),
          'x-qwk-signature': signRelayRequest(o.key ?? relayKeys[RG_B], ts, String(o.counter), o.signedText ?? o.text),
        };
      };

      it.sequential(
        'answers each case with its status, and the row stays as it was',
        async () => {
          const stored = (await row(RG_B))!;
          const next = stored.counter + 1;
          const cases: [string, () => Promise<Response>, number][] = [
            [
              'cluster not registered',
              () => {
                const text = body(next, { resourceGroup: 'not-registered' });
                return fetch(url(SUB, 'not-registered'), {
                  method: 'POST',
                  headers: signed({ counter: next, text }),
                  body: text,
                });
              },
              404,
            ],
            ['route names no subscription id', () => fetch(url('not-a-guid'), { method: 'POST', body: '{}' }), 400],
            [
              'no signature headers',
              () => fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(next) }),
              400,
            ],
            [
              'wrong secret',
              () => {
                const text = body(next);
                return fetch(url(), {
                  method: 'POST',
                  headers: signed({ key: 'b'.repeat(64), counter: next, text }),
                  body: text,
                });
              },
              401,
            ],
            [
              'tampered body',
              () => {
                const text = body(next);
                return fetch(url(), {
                  method: 'POST',
                  headers: signed({ counter: next, text, signedText: body(next, { witness: 'x' }) }),
                  body: text,
                });
              },
              401,
            ],
            [
              'timestamp 6 minutes old',
              () => {
                const text = body(next);
                const ts = String(Math.floor(Date.now() / 1000) - 360);
                return fetch(url(), { method: 'POST', headers: signed({ ts, counter: next, text }), body: text });
              },
              401,
            ],
            [
              'timestamp 6 minutes ahead',
              () => {
                const text = body(next);
                const ts = String(Math.floor(Date.now() / 1000) + 360);
                return fetch(url(), { method: 'POST', headers: signed({ ts, counter: next, text }), body: text });
              },
              401,
            ],
            [
              'replayed counter',
              () => {
                const text = body(stored.counter);
                return fetch(url(), { method: 'POST', headers: signed({ counter: stored.counter, text }), body: text });
              },
              409,
            ],
            [
              'body of 64 KiB or more',
              () => {
                const text = body(next, { witness: 'x'.repeat(70_000) });
                return fetch(url(), { method: 'POST', headers: signed({ counter: next, text }), body: text });
              },
              413,
            ],
            [
              'body not JSON',
              () => fetch(url(), { method: 'POST', headers: signed({ counter: next, text: '{' }), body: '{' }),
              400,
            ],
            [
              'body of the wrong shape',
              () =>
                fetch(url(), { method: 'POST', headers: signed({ counter: next, text: '{"v":1}' }), body: '{"v":1}' }),
              400,
            ],
            [
              'body for another cluster',
              () => {
                const text = body(next, { resourceGroup: 'other-rg' });
                return fetch(url(), { method: 'POST', headers: signed({ counter: next, text }), body: text });
              },
              400,
            ],
            [
              'counter in the body differs from the header',
              () => {
                const text = body(next + 5);
                return fetch(url(), { method: 'POST', headers: signed({ counter: next, text }), body: text });
              },
              400,
            ],
            [
              'an object that does not parse',
              () => {
                const text = body(next, {
                  objects: [
                    {
                      name: 'Clstr_nodeA',
                      mtime: new Date().toISOString(),
                      text: 'signature=lifeguard_qwk_object\nsequence=x\n',
                    },
                  ],
                });
                return fetch(url(), { method: 'POST', headers: signed({ counter: next, text }), body: text });
              },
              422,
            ],
          ];
          const results: string[] = [];
          for (const [label, send, status] of cases) {
            const res = await send();
            const json = (await res.json().catch(() => ({}))) as { errors?: { message: string }[] };
            results.push(`${res.status} ${label}: ${json.errors?.[0]?.message ?? ''}`);
            expect([label, res.status]).toEqual([label, status]);
            if (status === 401) expect(json.errors?.[0]?.message ?? '').not.toMatch(/signature/);
            const after = (await row(RG_B))!;
            expect([label, after.etag]).toEqual([label, stored.etag]);
          }
          console.log(`ingest bad-input table:\n${results.join('\n')}`);
          expect(await table.getEntity(SUB, 'not-registered').catch((e: { statusCode?: number }) => e.statusCode)).toBe(
            404,
          );
          const warned = stack.host!.logs.filter((l) => /request refused \(401\)/.test(JSON.stringify(l)));
          expect(warned.length).toBeGreaterThanOrEqual(2);
          // logged with the cluster (the host masks setting values such as the default subscription id) and the source
          expect(JSON.stringify(warned)).toContain(`/${RG_B}`);
          expect(JSON.stringify(warned)).toContain('source');

          // positive control: the same route accepts a correctly signed snapshot whose counter advances
          const text = body(next);
          const ok = await fetch(url(), { method: 'POST', headers: signed({ counter: next, text }), body: text });
          expect(ok.status).toBe(202);
          expect((await row(RG_B))!.counter).toBe(next);
        },
        120_000,
      );
    });

    it.sequential(
      'snapshots resume when the relay starts again, and stop when the witness is powered off',
      async () => {
        expect(rt.startServices(WITNESS, 'qwk-relay')).toEqual(['qwk-relay.service']);
        const resumed = await watch(RG_B, INTERVAL_S * 1000 * 2 + 1_000, (seen) => seen.length >= 3);
        expect(resumed.length).toBeGreaterThanOrEqual(2);

        await arm.compute.virtualMachines.beginPowerOffAndWait(RG_B, 'Witness-node');
        expect(rt.powerState(WITNESS)).toBe('stopped');
        expect(rt.services(WITNESS).filter((s) => s.running)).toEqual([]);
        await sleep(1_500);
        const before = (await row(RG_B))!;
        const snaps = await watch(RG_B, INTERVAL_S * 1000 * 2 + 1_000);
        expect(snaps.map((s) => s.counter)).toEqual([before.counter]);

        await arm.compute.virtualMachines.beginStartAndWait(RG_B, 'Witness-node');
        const back = await watch(RG_B, INTERVAL_S * 1000 * 2 + 1_000, (seen) => seen.length >= 3);
        expect(back.length, 'the enabled unit starts at boot').toBeGreaterThanOrEqual(2);
      },
      120_000,
    );

    it.sequential(
      'an isolated witness (its NICs down) cannot reach the app: snapshots stop although it runs',
      async () => {
        await rt.isolateNode(WITNESS);
        await sleep(1_500); // a POST in flight may still land
        const before = (await row(RG_B))!;
        const snaps = await watch(RG_B, INTERVAL_S * 1000 * 2 + 1_000);
        expect(snaps.map((x) => x.counter)).toEqual([before.counter]);
        expect(
          rt
            .services(WITNESS)
            .filter((x) => x.running)
            .map((x) => x.unit),
        ).toEqual(['qwk-relay.service']);
        expect(rt.serviceJournal(WITNESS, 'qwk-relay.service')).toMatch(
          /POST https:\/\/qwk-ops\.azurewebsites\.test\S+ failed \(curl exit/,
        );
      },
      60_000,
    );
  });

  it('leaves the relay keys in no log line, orchestration history, status or table', async () => {
    const keys = [RG_A, RG_B].map((rg) => relayKeys[rg]);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{64}$/);
    const haystacks: [string, string][] = [];
    haystacks.push(['host logs', JSON.stringify(stack.host!.logs)]);
    for (const rg of [RG_A, RG_B]) {
      const status = await fetch(`${api.baseUrl}/api/deployments/${deploymentIds[rg]}`, {
        headers: { 'x-functions-key': KEY },
      });
      haystacks.push([`deployment status ${rg}`, await status.text()]);
    }
    const service = TableServiceClient.fromConnectionString(stack.settings.AzureWebJobsStorage, {
      allowInsecureConnection: true,
    });
    let tables = 0;
    for await (const t of service.listTables()) {
      const client = TableClient.fromConnectionString(stack.settings.AzureWebJobsStorage, t.name!, {
        allowInsecureConnection: true,
      });
      const rows: unknown[] = [];
      for await (const e of client.listEntities()) rows.push(e);
      haystacks.push([`table ${t.name}`, JSON.stringify(rows)]);
      tables++;
    }
    expect(tables).toBeGreaterThanOrEqual(3); // the task hub's history/instances, clusters, qwksnapshots
    const blobs = BlobServiceClient.fromConnectionString(stack.settings.AzureWebJobsStorage);
    for await (const c of blobs.listContainers()) {
      const container = blobs.getContainerClient(c.name);
      for await (const b of container.listBlobsFlat()) {
        const buf = await container.getBlobClient(b.name).downloadToBuffer();
        haystacks.push([`blob ${c.name}/${b.name}`, buf.toString('utf8')]);
      }
    }
    haystacks.push(['simulator operations journal', JSON.stringify(stack.sim.journal())]);
    for (const rg of [RG_A, RG_B]) {
      haystacks.push([`witness stub journal ${rg}`, JSON.stringify(rt.journal(witness(rg)))]);
      haystacks.push([`relay journal ${rg}`, rt.serviceJournal(witness(rg), 'qwk-relay.service')]);
    }
    const found = haystacks.flatMap(([name, text]) =>
      keys.map((k, i) => (text.includes(k) ? `${name} (key of ${[RG_A, RG_B][i]})` : '')).filter(Boolean),
    );
    expect(found).toEqual([]);
    // the search can find them: each is in the key file on its witness
    for (const [i, rg] of [RG_A, RG_B].entries())
      expect(readFileSync(path.join(rt.sandboxPath(witness(rg)), 'etc/qwk-relay/relay.key'), 'utf8')).toContain(
        keys[i],
      );
  }, 60_000);
});
