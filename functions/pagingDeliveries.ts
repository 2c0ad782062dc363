/** Queue trigger: one notification on one route, the retries of the pipeline (re-enqueued with a delay). */
import { app, type InvocationContext } from '@azure/functions';
import { QUEUES } from '../shared/names';
import { type DeliveryMessage, processDelivery } from '../shared/paging/pipeline';
import { pipelineDeps } from '../shared/paging/runtime';

export async function onDelivery(message: unknown, context: InvocationContext): Promise<void> {
  const msg = (typeof message === 'string' ? JSON.parse(message) : message) as DeliveryMessage;
  if (msg?.v !== 1 || !msg.transition || !msg.route || !msg.eventId) throw new Error('not a delivery message');
  const r = await processDelivery(
    msg,
    pipelineDeps((m) => context.info(m)),
  );
  context.info(`paging: ${msg.eventId} on ${r.route}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`);
}

app.storageQueue('pagingDeliveries', {
  queueName: QUEUES.notificationDeliveries,
  connection: 'AzureWebJobsStorage',
  handler: onDelivery,
});
