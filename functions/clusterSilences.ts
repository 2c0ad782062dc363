/**
 * POST|GET /api/clusters/{subscriptionId}/{resourceGroup}/silences and
 * DELETE /api/clusters/{subscriptionId}/{resourceGroup}/silences/{id}: silences of a cluster's pages.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { badRequest, notFound, readJson } from '../shared/http/problems';
import { silenceCluster, validateSilenceInput } from '../shared/paging/pipeline';
import { pagingStore } from '../shared/paging/store';
import { clusterRegistry } from '../shared/registry/clusterRegistry';

async function registered(request: HttpRequest) {
  const subscriptionId = request.params.subscriptionId ?? '';
  const resourceGroup = request.params.resourceGroup ?? '';
  const record = await clusterRegistry().get(subscriptionId, resourceGroup);
  return record ? { subscriptionId: record.subscriptionId, resourceGroup: record.resourceGroup } : undefined;
}

export async function silences(request: HttpRequest): Promise<HttpResponseInit> {
  const cluster = await registered(request);
  if (!cluster)
    return notFound(`no registered cluster ${request.params.subscriptionId}/${request.params.resourceGroup}`);
  if (request.method === 'GET') {
    return { status: 200, jsonBody: { silences: await pagingStore().listSilences(cluster) } };
  }
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const input = validateSilenceInput(body.value, new Date());
  if (!input.ok) return badRequest(input.errors);
  const silence = await silenceCluster(cluster, input.until, input.reason, 'api');
  return { status: 201, jsonBody: silence };
}

export async function deleteSilence(request: HttpRequest): Promise<HttpResponseInit> {
  const cluster = await registered(request);
  if (!cluster)
    return notFound(`no registered cluster ${request.params.subscriptionId}/${request.params.resourceGroup}`);
  const id = request.params.id ?? '';
  if (!(await pagingStore().deleteSilence(cluster, id))) return notFound(`no silence '${id}'`);
  return { status: 204 };
}

app.http('clusterSilences', {
  route: 'clusters/{subscriptionId}/{resourceGroup}/silences',
  methods: ['GET', 'POST'],
  authLevel: 'function',
  handler: silences,
});

app.http('clusterSilenceDelete', {
  route: 'clusters/{subscriptionId}/{resourceGroup}/silences/{id}',
  methods: ['DELETE'],
  authLevel: 'function',
  handler: deleteSilence,
});
