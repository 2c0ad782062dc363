/** JSON error responses of the HTTP API. */
import type { HttpResponseInit } from '@azure/functions';
import type { FieldError } from '../spec';

export const badRequest = (errors: FieldError[]): HttpResponseInit => ({ status: 400, jsonBody: { errors } });
export const notFound = (message: string): HttpResponseInit => ({
  status: 404,
  jsonBody: { errors: [{ path: '', message }] },
});
export const serviceUnavailable = (message: string): HttpResponseInit => ({
  status: 503,
  jsonBody: { errors: [{ path: '', message }] },
  headers: { 'Retry-After': '5' },
});

/** Reads a JSON body; a syntax error becomes a 400 that says where. */
export async function readJson(request: {
  text(): Promise<string>;
}): Promise<{ ok: true; value: unknown } | { ok: false; response: HttpResponseInit }> {
  const text = await request.text();
  if (!text.trim()) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return {
      ok: false,
      response: badRequest([{ path: '', message: `the body is not valid JSON: ${(err as Error).message}` }]),
    };
  }
}
