/**
 * Timer (six-field NCRONTAB from QWK_REPORT_SCHEDULE, default daily at 08:00 UTC): the fleet health report of the
 * QWK_REPORT_PERIOD_HOURS (default 24) ending now, stored in blobs and its summary sent to the routes that take reports.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { reportsConfig } from '../shared/config';
import { scheduledPeriod } from '../shared/reports/period';
import { makeReport } from '../shared/reports/reportService';
import { reportDeps } from '../shared/reports/reportServices';

export async function reportsTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const period = scheduledPeriod(new Date(), reportsConfig().periodHours);
  const made = await makeReport(
    reportDeps((m) => context.log(m)),
    period,
  );
  context.log(
    `health report ${made.report.id}: ${made.report.clusters.length} clusters, ${made.deliveries.length} route(s)`,
  );
}

app.timer('reportsTimer', {
  schedule: reportsConfig().schedule,
  handler: reportsTimer,
});
