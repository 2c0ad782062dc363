/**
 * POST /api/reports (function key) — makes a fleet health report now. Body `{"from"?, "to"?}` (ISO-8601 times;
 * default the 24 hours ending now); 400 with the field at fault otherwise. 201 with where it is stored, its link and
 * the summary's deliveries.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { badRequest, readJson } from '../shared/http/problems';
import { parsePeriod } from '../shared/reports/period';
import { makeReport } from '../shared/reports/reportService';
import { reportDeps } from '../shared/reports/reportServices';

export async function createReport(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const period = parsePeriod(body.value, new Date());
  if (!period.ok) return badRequest(period.errors);
  const made = await makeReport(
    reportDeps((m) => context.log(m)),
    period.period,
  );
  return {
    status: 201,
    headers: { Location: `/api/reports/${made.report.id}` },
    jsonBody: {
      ...made.stored,
      ...(made.link !== undefined ? { link: made.link } : {}),
      deliveries: made.deliveries,
    },
  };
}

app.http('reportsCreate', {
  route: 'reports',
  methods: ['POST'],
  authLevel: 'function',
  handler: createReport,
});
