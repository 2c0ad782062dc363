import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { request } from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../local/azure-sim';
import { SIM_SUBSCRIPTION } from '../support/simClients';
import { simFetch } from '../support/simHttp';

let sim: RunningSimulator;
const stateDir = path.resolve('.local/test-sim-server');

beforeAll(async () => {
  sim = await startSimulator({ port: 0, timeScale: 0.001, stateDir });
});
afterAll(async () => {
  await sim?.stop();
});

function tlsGet(url: string, opts: { ca?: string; lookupHost?: string; servername?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: opts.ca,
        servername: opts.servername,
        lookup: opts.lookupHost
          ? (_h, o, cb) =>
              o.all
                ? (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
                    { address: opts.lookupHost!, family: 4 },
                  ])
                : (cb as (e: null, a: string, f: number) => void)(null, opts.lookupHost!, 4)
          : undefined,
        headers: { authorization: 'Bearer x' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('simulator server', () => {
  it('listens on 127.0.0.1 only, over HTTPS with the CA written to stateDir/ca.pem', async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.caFile).toBe(path.join(stateDir, 'ca.pem'));
    expect(readFileSync(sim.caFile, 'utf8')).toBe(sim.caPem);
    // other local addresses do not answer
    const err = await new Promise<Error | undefined>((resolve) => {
      const s = connect({ host: '::1', port: sim.port }, () => {
        s.destroy();
        resolve(undefined);
      });
      s.on('error', resolve);
    });
    expect(err).toBeInstanceOf(Error);
  });

  it('is trusted only through its CA, and its certificate names 127.0.0.1 and localhost', async () => {
    const rg = `${sim.url}/subscriptions/${SIM_SUBSCRIPTION}/resourcegroups?api-version=2025-04-01`;
    await expect(tlsGet(rg, {})).rejects.toMatchObject({ code: expect.stringMatching(/CERT|SIGNATURE|SELF_SIGNED/) });
    expect(await tlsGet(rg, { ca: sim.caPem })).toBe(200);
    expect(await tlsGet(rg.replace('127.0.0.1', 'localhost'), { ca: sim.caPem, lookupHost: '127.0.0.1' })).toBe(200);
  });

  it('answers 401 with ARM error body without a bearer token, and the Key Vault challenge on the data plane', async () => {
    const arm = await simFetch(
      sim,
      'GET',
      `/subscriptions/${SIM_SUBSCRIPTION}/resourcegroups?api-version=2025-04-01`,
      undefined,
      { auth: false },
    );
    expect(arm.status).toBe(401);
    expect(arm.json.error.code).toBe('AuthenticationFailed');
    const kv = await simFetch(sim, 'GET', '/secrets/x?api-version=7.6', undefined, { auth: false });
    expect(kv.status).toBe(401);
    expect(kv.headers['www-authenticate']).toMatch(
      /^Bearer authorization="https:\/\/login\.microsoftonline\.com\/[^"]+", resource="https:\/\/vault\.azure\.net"$/,
    );
  });

  it('requires api-version on every call', async () => {
    const res = await simFetch(sim, 'GET', `/subscriptions/${SIM_SUBSCRIPTION}/resourcegroups`);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('MissingApiVersionParameter');
    expect((await simFetch(sim, 'GET', '/secrets/x')).status).toBe(400);
  });

  it('answers malformed JSON with 400 InvalidRequestContent and unknown types with 400 InvalidResourceType', async () => {
    await simFetch(sim, 'PUT', `/subscriptions/${SIM_SUBSCRIPTION}/resourcegroups/rg?api-version=2025-04-01`, {
      location: 'westeurope',
    });
    const { request: req } = await import('node:https');
    const status = await new Promise<number>((resolve, reject) => {
      const r = req(
        `${sim.url}/subscriptions/${SIM_SUBSCRIPTION}/resourcegroups/rg?api-version=2025-04-01`,
        { method: 'PUT', ca: sim.caPem, headers: { authorization: 'Bearer x' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      r.on('error', reject);
      r.end('{not json');
    });
    expect(status).toBe(400);
    const t = await simFetch(
      sim,
      'GET',
      `/subscriptions/${SIM_SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Foo/bars/x?api-version=1`,
    );
    expect(t.status).toBe(400);
    expect(t.json.error.code).toBe('InvalidResourceType');
  });

  const mainJs = path.resolve('dist/local/azure-sim/main.js');
  it.skipIf(!existsSync(mainJs))(
    'npm run sim (dist/local/azure-sim/main.js) starts alone, prints URL and CA, stops on SIGTERM',
    async () => {
      const child = spawn(process.execPath, [mainJs], {
        env: {
          ...process.env,
          SIM_PORT: '0',
          SIM_TIME_SCALE: '0.001',
          SIM_STATE_DIR: path.resolve('.local/test-sim-main'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no start line: ${out}`)), 20_000);
        child.stdout.on('data', () => {
          if (/CA certificate: /.test(out)) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      expect(out).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      expect(code).toBe(0);
    },
  );
});
