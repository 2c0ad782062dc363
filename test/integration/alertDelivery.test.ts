/**
 * Webhook delivery with Azure's action group retry rules, against real HTTP receivers on 127.0.0.1 and a closed
 * port, on an alert clock compressed 1000× (5/20/5/40/5 s → 5/20/5/40/5 ms, the 15-minute pause → 900 ms).
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../local/azure-sim/monitor/alerts';
import { WebhookDeliverer, type DeliveryAttempt } from '../../local/azure-sim/monitor/alerts/delivery';

/** /status/<code>/<n>: answers <code> to the first n calls of this path, then 200. */
const calls = new Map<string, number>();
let server: http.Server;
let base = '';
let closedPort = 0;
const clock = new RealClock(() => 0.001);
const deliverer = new WebhookDeliverer(clock);

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const [, , code, n] = (req.url ?? '').split('/');
      const seen = (calls.get(req.url!) ?? 0) + 1;
      calls.set(req.url!, seen);
      res.writeHead(seen <= Number(n) ? Number(code) : 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
});
afterAll(async () => {
  clock.stop();
  await new Promise((r) => server?.close(r));
});

async function deliveryTo(url: string): Promise<DeliveryAttempt[]> {
  const before = deliverer.list().length;
  deliverer.deliver({
    alertId: 'a',
    alertRule: 'r',
    monitorCondition: 'Fired',
    actionGroupId: 'ag',
    receiver: 'hook',
    url,
    body: { schemaId: 'azureMonitorCommonAlertSchema' },
  });
  const end = Date.now() + 20_000;
  for (;;) {
    const mine = deliverer.list().slice(before);
    if (mine.some((a) => a.outcome !== 'retrying')) return mine;
    if (Date.now() > end) throw new Error(`delivery to ${url} did not end`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('webhook delivery', () => {
  const cases: { what: string; path: string; want: (string | number | undefined)[][] }[] = [
    { what: '200 is delivered at once', path: '/status/200/0', want: [[1, 200, 'delivered']] },
    { what: '400 is not retried', path: '/status/400/1', want: [[1, 400, 'failed']] },
    { what: '500 is not retried', path: '/status/500/1', want: [[1, 500, 'failed']] },
    {
      what: '503 twice, then 200',
      path: '/status/503/2',
      want: [
        [1, 503, 'retrying'],
        [2, 503, 'retrying'],
        [3, 200, 'delivered'],
      ],
    },
    {
      what: '408 is retried',
      path: '/status/408/1',
      want: [
        [1, 408, 'retrying'],
        [2, 200, 'delivered'],
      ],
    },
    {
      what: '429 is retried',
      path: '/status/429/1',
      want: [
        [1, 429, 'retrying'],
        [2, 200, 'delivered'],
      ],
    },
    {
      what: '504 is retried',
      path: '/status/504/1',
      want: [
        [1, 504, 'retrying'],
        [2, 200, 'delivered'],
      ],
    },
    {
      what: '504 on all six attempts fails',
      path: '/status/504/9',
      want: [
        [1, 504, 'retrying'],
        [2, 504, 'retrying'],
        [3, 504, 'retrying'],
        [4, 504, 'retrying'],
        [5, 504, 'retrying'],
        [6, 504, 'failed'],
      ],
    },
  ];
  it.each(cases)('$what', async ({ path, want }) => {
    const attempts = await deliveryTo(`${base}${path}`);
    expect(attempts.map((a) => [a.attempt, a.status, a.outcome])).toEqual(want);
    expect(calls.get(path)).toBe(want.length);
  });

  it('a network error is retried 5 times, then the endpoint is skipped for 15 minutes (scaled)', async () => {
    const url = `http://127.0.0.1:${closedPort}/down`;
    const attempts = await deliveryTo(url);
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'retrying'],
      [2, 'retrying'],
      [3, 'retrying'],
      [4, 'retrying'],
      [5, 'retrying'],
      [6, 'failed'],
    ]);
    expect(attempts.every((a) => a.status === undefined && typeof a.error === 'string')).toBe(true);
    const skipped = await deliveryTo(url);
    expect(skipped.map((a) => [a.attempt, a.outcome])).toEqual([[0, 'skipped']]);
    // after the pause (900 ms here) the endpoint is called again
    const end = Date.now() + 20_000;
    let again: DeliveryAttempt[] = [];
    while (Date.now() < end) {
      again = await deliveryTo(url);
      if (again[0].outcome !== 'skipped') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(again[0]).toMatchObject({ attempt: 1, outcome: 'retrying' });
  });

  it('a failure that is not retriable does not pause the endpoint', async () => {
    await deliveryTo(`${base}/status/400/1`);
    expect((await deliveryTo(`${base}/status/400/1`)).map((a) => a.outcome)).toEqual(['delivered']);
  });
});
