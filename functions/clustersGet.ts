/**
 * GET /api/clusters/{subscriptionId}/{resourceGroup} — one cluster's page: state, per node (probe, QWK sequence and
 * last advance, commstat, power), witness and relay freshness, open incidents with evidence, the last 50 changes.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { notFound } from '../shared/http/problems';
import { clusterDetail } from '../shared/monitoring/clusterView';
import { incidentStore } from '../shared/monitoring/monitoringServices';
import { clusterRegistry } from '../shared/registry/clusterRegistry';

export async function getCluster(request: HttpRequest): Promise<HttpResponseInit> {
  const sub = request.params.subscriptionId ?? '';
  const rg = request.params.resourceGroup ?? '';
  const record = await clusterRegistry().get(sub, rg);
  if (!record) return notFound(`no registered cluster ${sub}/${rg}`);
  const [stored, timeline] = await Promise.all([
    incidentStore().read(record.subscriptionId, record.resourceGroup),
    incidentStore().listTimeline(record.subscriptionId, record.resourceGroup, 50),
  ]);
  return { status: 200, jsonBody: clusterDetail(record, stored, timeline) };
}

app.http('clustersGet', {
  route: 'clusters/{subscriptionId}/{resourceGroup}',
  methods: ['GET'],
  authLevel: 'function',
  handler: getCluster,
});
