/** GET /api/reports (function key) — every stored health report, newest period end first (from blob metadata). */
import { app, type HttpResponseInit } from '@azure/functions';
import { reportStore } from '../shared/reports/reportServices';

export async function listReports(): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: { reports: await reportStore().list() } };
}

app.http('reportsList', {
  route: 'reports',
  methods: ['GET'],
  authLevel: 'function',
  handler: listReports,
});
