/**
 * GET /api/clusters/{subscriptionId}/{resourceGroup}/report?from&to (function key) — one cluster's health report
 * for the period (default the 24 hours ending now), computed now and not stored: HTML, or JSON with
 * `Accept: application/json`. 404 for a cluster that is not registered, 400 for a bad period.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { badRequest, notFound } from '../shared/http/problems';
import { renderReportHtml } from '../shared/reports/html';
import { renderReportJson } from '../shared/reports/json';
import { parsePeriod, wantsJson } from '../shared/reports/period';
import { computeReport } from '../shared/reports/reportService';
import { historySources } from '../shared/reports/reportServices';
import { clusterRegistry } from '../shared/registry/clusterRegistry';

export async function clusterReport(request: HttpRequest): Promise<HttpResponseInit> {
  const sub = request.params.subscriptionId ?? '';
  const rg = request.params.resourceGroup ?? '';
  const query = Object.fromEntries(request.query.entries());
  const period = parsePeriod(query, new Date());
  if (!period.ok) return badRequest(period.errors);
  const record = await clusterRegistry().get(sub, rg);
  if (!record) return notFound(`no registered cluster ${sub}/${rg}`);
  const report = await computeReport(
    { sources: historySources(), now: () => new Date() },
    [record],
    period.period,
    record.resourceGroup,
  );
  const json = wantsJson(request.headers.get('accept'));
  return {
    status: 200,
    headers: { 'Content-Type': json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8' },
    body: json ? renderReportJson(report) : renderReportHtml(report),
  };
}

app.http('clusterReport', {
  route: 'clusters/{subscriptionId}/{resourceGroup}/report',
  methods: ['GET'],
  authLevel: 'function',
  handler: clusterReport,
});
