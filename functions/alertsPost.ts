/**
 * POST /api/alerts — Azure Monitor action groups' webhook (Common Alert Schema; the function key is the `?code=`
 * of the webhook URL). See shared/monitoring/alertIntake.ts for the rules.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { intakeAlert } from '../shared/monitoring/alertIntake';
import { MAX_ALERT_BODY_BYTES } from '../shared/monitoring/commonAlertSchema';
import { alertStore, clusterMonitor } from '../shared/monitoring/monitoringServices';
import { clusterRegistry } from '../shared/registry/clusterRegistry';

export async function postAlert(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_ALERT_BODY_BYTES)
    return {
      status: 413,
      jsonBody: { errors: [{ path: '', message: `at most ${MAX_ALERT_BODY_BYTES} bytes are accepted` }] },
    };
  const body = Buffer.from(await request.arrayBuffer());
  const monitor = clusterMonitor((m, d) => context.warn(m, d));
  const res = await intakeAlert(body, {
    listClusters: () => clusterRegistry().list(),
    alerts: alertStore(),
    evaluateShard: (shard) => monitor.evaluateShard(shard),
    now: () => new Date(),
    info: (m, d) => context.log(m, d),
  });
  return { status: res.status, jsonBody: res.body };
}

app.http('alertsPost', {
  route: 'alerts',
  methods: ['POST'],
  authLevel: 'function',
  handler: postAlert,
});
