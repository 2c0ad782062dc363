/**
 * POST /api/clusters/{subscriptionId}/{resourceGroup}/drills — a failover drill (the guide's §9.3 switchover as an
 * operation): body `{switchBack?: boolean}` (default true: to the standby and back). 202 `{id, statusUrl}` +
 * Location (GET …/drills/{id}); 404 for a cluster that is not registered; 409 while a deployment, tear-down or
 * another drill of the cluster runs, while the cluster is in maintenance (also the settle time after one), or when
 * the cluster's active node or deployment spec is not known.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { instanceStatus } from '../shared/azure/durableStatus';
import { appConfig } from '../shared/config';
import type { DeployClusterInput } from '../shared/deployments/contracts';
import { deploymentLock } from '../shared/deployments/deploymentLockFactory';
import { drillTarget, parseDrillBody } from '../shared/drills/drill';
import { startDrill } from '../shared/drills/drillStarter';
import { badRequest, notFound, readJson } from '../shared/http/problems';
import { incidentStore } from '../shared/monitoring/monitoringServices';
import { clusterRegistry } from '../shared/registry/clusterRegistry';
import { scriptParamsFromSpec } from '../shared/scripts';

const conflict = (message: string, id?: string): HttpResponseInit => ({
  status: 409,
  jsonBody: { ...(id ? { id } : {}), errors: [{ path: '', message }] },
});

export async function createDrill(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const sub = request.params.subscriptionId ?? '';
  const rg = request.params.resourceGroup ?? '';
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = parseDrillBody(body.value);
  if (!parsed.ok) return badRequest(parsed.errors);
  const record = await clusterRegistry().get(sub, rg);
  if (!record) return notFound(`no registered cluster ${sub}/${rg}`);

  // A deployment or drill that just ended keeps the cluster in maintenance a little longer, until monitoring has
  // confirmed where the hierarchy now runs: the active node is not known for sure before that.
  const now = Date.now();
  const window = record.maintenance?.find((w) => Date.parse(w.from) <= now && now < Date.parse(w.until));
  if (window)
    return conflict(`the cluster is in maintenance until ${window.until} (${window.reason}): drill after that`);
  // Switch away from the node monitoring sees active (the registry's is where the deployment left it).
  const stored = await incidentStore().read(record.subscriptionId, record.resourceGroup);
  if (stored?.health?.activeCandidate)
    return conflict(
      `the active node is changing (${stored.health.activeCandidate.node} alone answers the probe, not confirmed yet): try again shortly`,
    );
  const target = drillTarget(record.nodes, stored?.health?.activeNode ?? record.activeNode);
  if (!target.ok) return conflict(target.message);

  // The switchover script's parameters come from the spec of the deployment that registered the cluster.
  const client = df.getClient(context);
  const deployment = await instanceStatus(client, record.deploymentId, true);
  const spec = (deployment?.input as Partial<DeployClusterInput> | undefined)?.spec;
  if (!spec)
    return conflict(
      `the spec of deployment ${record.deploymentId}, which registered the cluster, is no longer in the task hub: re-POST the spec to /api/deployments, then drill`,
    );

  const result = await startDrill(client, deploymentLock(), {
    cluster: { subscriptionId: record.subscriptionId, resourceGroup: record.resourceGroup, location: record.location },
    from: target.from,
    to: target.to,
    switchBack: parsed.value.switchBack,
    params: scriptParamsFromSpec(spec),
    secrets: {},
    retry: appConfig().retry,
  });
  if (!result.started)
    return conflict(
      `${result.runningId} (a deployment, tear-down or drill) is running on resource group '${record.resourceGroup}': wait for it or cancel it`,
      result.runningId,
    );
  const statusUrl = drillUrl(request.url, result.id);
  context.info(`drill ${result.id} started on ${record.resourceGroup}: ${target.from} → ${target.to}`);
  return { status: 202, headers: { Location: statusUrl }, jsonBody: { id: result.id, statusUrl } };
}

/** `https://host/api/clusters/{sub}/{rg}/drills` → `…/drills/{id}`. */
function drillUrl(requestUrl: string, id: string): string {
  const url = new URL(requestUrl);
  url.search = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
  return url.toString();
}

app.http('drillsCreate', {
  route: 'clusters/{subscriptionId}/{resourceGroup}/drills',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: createDrill,
});
