/** GET /api/clusters — every registered cluster with its state, active node, since, open incidents, last evaluation. */
import { app, type HttpResponseInit } from '@azure/functions';
import { clusterList } from '../shared/monitoring/clusterView';
import { incidentStore } from '../shared/monitoring/monitoringServices';
import { clusterRegistry } from '../shared/registry/clusterRegistry';

export async function listClusters(): Promise<HttpResponseInit> {
  const [records, healths] = await Promise.all([clusterRegistry().list(), incidentStore().listHealth()]);
  return { status: 200, jsonBody: { clusters: clusterList(records, healths) } };
}

app.http('clustersList', {
  route: 'clusters',
  methods: ['GET'],
  authLevel: 'function',
  handler: listClusters,
});
