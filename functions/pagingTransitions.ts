/** Queue trigger: each incident transition becomes one notification per route of its cluster (docs/PAGING.md). */
import { app, type InvocationContext } from '@azure/functions';
import { QUEUES } from '../shared/names';
import { fanOut, parseTransition } from '../shared/paging/pipeline';
import { pipelineDeps } from '../shared/paging/runtime';

export async function onIncidentTransition(message: unknown, context: InvocationContext): Promise<void> {
  const t = parseTransition(message);
  const results = await fanOut(
    t,
    pipelineDeps((m) => context.info(m)),
  );
  context.info(`paging: ${t.id}: ${results.map((r) => `${r.route}=${r.status}`).join(', ') || 'no routes'}`);
}

app.storageQueue('pagingTransitions', {
  queueName: QUEUES.incidentTransitions,
  connection: 'AzureWebJobsStorage',
  handler: onIncidentTransition,
});
