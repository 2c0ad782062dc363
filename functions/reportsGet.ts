/**
 * GET /api/reports/{id} (function key) — one stored report: the HTML page, or its JSON with
 * `Accept: application/json`. 404 for an unknown id or one no report can have.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { notFound } from '../shared/http/problems';
import { isReportId } from '../shared/reports/blobs';
import { wantsJson } from '../shared/reports/period';
import { reportStore } from '../shared/reports/reportServices';

export async function getReport(request: HttpRequest): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  if (!isReportId(id)) return notFound(`no report '${id}'`);
  const json = wantsJson(request.headers.get('accept'));
  const body = await reportStore().read(id, json ? 'json' : 'html');
  if (body === null) return notFound(`no report '${id}'`);
  return {
    status: 200,
    headers: { 'Content-Type': json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8' },
    body,
  };
}

app.http('reportsGet', {
  route: 'reports/{id}',
  methods: ['GET'],
  authLevel: 'function',
  handler: getReport,
});
