import { request } from 'node:https';

export interface SimHttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

/** A raw HTTPS request to a running simulator (bearer token unless `auth: false`), trusting its CA. */
export function simFetch(
  sim: { url: string; caPem: string },
  method: string,
  pathOrUrl: string,
  body?: unknown,
  opts: { auth?: boolean } = {},
): Promise<SimHttpResponse> {
  const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${sim.url}${pathOrUrl}`;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.auth !== false) headers.authorization = 'Bearer sim-token';
    const req = request(url, { method, ca: sim.caPem, headers }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, json: data ? JSON.parse(data) : undefined }),
      );
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Follows an ARM LRO through its Azure-AsyncOperation (or Location) header until it is terminal. */
export async function waitForLro(sim: { url: string; caPem: string }, res: SimHttpResponse): Promise<string> {
  const asyncUrl = res.headers['azure-asyncoperation'] as string | undefined;
  const location = res.headers['location'] as string | undefined;
  for (let i = 0; i < 200; i++) {
    if (asyncUrl) {
      const s = await simFetch(sim, 'GET', asyncUrl);
      if (s.json.status !== 'InProgress') return s.json.status;
    } else if (location) {
      const s = await simFetch(sim, 'GET', location);
      if (s.status !== 202) return s.status < 300 ? 'Succeeded' : 'Failed';
    } else {
      return 'Succeeded';
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('LRO did not finish');
}
