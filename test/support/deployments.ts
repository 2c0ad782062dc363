/** Drives the deployment HTTP API of a running host, as a user with curl would. */
import { expect } from 'vitest';

export const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

export interface Api {
  baseUrl: string;
  key: string;
}

export async function post(api: Api, body: unknown, raw?: string) {
  const res = await fetch(`${api.baseUrl}/api/deployments`, {
    method: 'POST',
    headers: { 'x-functions-key': api.key, 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
}

export async function getDeployment(api: Api, id: string) {
  const res = await fetch(`${api.baseUrl}/api/deployments/${encodeURIComponent(id)}`, { headers: { 'x-functions-key': api.key } });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

export async function listDeployments(api: Api) {
  const res = await fetch(`${api.baseUrl}/api/deployments`, { headers: { 'x-functions-key': api.key } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>[];
}

/** Polls until the deployment is terminal (or `until` says stop); returns the last view. */
export async function waitForDeployment(api: Api, id: string, timeoutMs = 60_000, until?: (view: Record<string, any>) => boolean) {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, any> = {};
  while (Date.now() < deadline) {
    const { status, json } = await getDeployment(api, id);
    if (status === 200) {
      last = json;
      if (TERMINAL.has(json.runtimeStatus) || until?.(json)) return json;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`deployment ${id} did not finish in ${timeoutMs} ms; last: ${JSON.stringify(last).slice(0, 2000)}`);
}

/** The smallest valid spec: the seed's values, SSH to the witness from a documentation range. */
export const seedSpec = (extra: Record<string, unknown> = {}) => ({ witness: { sshSourceCidr: '203.0.113.0/24' }, ...extra });
