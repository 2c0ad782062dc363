/** POST /api/clusters/{subscriptionId}/{resourceGroup}/test-page: a test notification on each route, now. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { notFound } from '../shared/http/problems';
import { testPage } from '../shared/paging/pipeline';
import { pipelineDeps } from '../shared/paging/runtime';
import { clusterRegistry } from '../shared/registry/clusterRegistry';

export async function clusterTestPage(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const record = await clusterRegistry().get(request.params.subscriptionId ?? '', request.params.resourceGroup ?? '');
  if (!record) {
    return notFound(`no registered cluster ${request.params.subscriptionId}/${request.params.resourceGroup}`);
  }
  const cluster = { subscriptionId: record.subscriptionId, resourceGroup: record.resourceGroup };
  const link = new URL(request.url);
  link.search = '';
  link.pathname = link.pathname.replace(/\/test-page\/?$/, '');
  const results = await testPage(
    cluster,
    pipelineDeps((m) => context.info(m)),
    link.toString(),
  );
  return { status: 200, jsonBody: { routes: results } };
}

app.http('clusterTestPage', {
  route: 'clusters/{subscriptionId}/{resourceGroup}/test-page',
  methods: ['POST'],
  authLevel: 'function',
  handler: clusterTestPage,
});
