/** GET /api/clusters/{subscriptionId}/{resourceGroup}/drills/{id} — a failover drill's steps, times and result. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { instanceStatus } from '../shared/azure/durableStatus';
import { drillView } from '../shared/drills/drill';
import { notFound } from '../shared/http/problems';
import { ORCHESTRATIONS } from '../shared/names';

export async function getDrill(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const sub = request.params.subscriptionId ?? '';
  const rg = request.params.resourceGroup ?? '';
  const id = request.params.id ?? '';
  const missing = notFound(`no drill '${id}' of ${sub}/${rg}`);
  const status = await instanceStatus(df.getClient(context), id, false);
  if (status?.name !== ORCHESTRATIONS.failoverDrill) return missing;
  const view = drillView(status);
  const c = view.cluster;
  // Once started, the drill's status names its cluster; it must be the one in the route.
  if (c && (c.subscriptionId.toLowerCase() !== sub.toLowerCase() || c.resourceGroup.toLowerCase() !== rg.toLowerCase()))
    return missing;
  return { status: 200, jsonBody: view };
}

app.http('drillsGet', {
  route: 'clusters/{subscriptionId}/{resourceGroup}/drills/{id}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: getDrill,
});
