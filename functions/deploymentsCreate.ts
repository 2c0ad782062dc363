/** POST /api/deployments — validate a cluster spec and start its deployment. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { azureClients } from '../shared/azure/clients';
import { appConfig } from '../shared/config';
import { deploymentLock } from '../shared/deployments/deploymentLockFactory';
import { startDeployment } from '../shared/deployments/deploymentStarter';
import { deploymentPreconditions } from '../shared/deployments/preconditions';
import { badRequest, readJson } from '../shared/http/problems';
import { keyVaultSecretExistence } from '../shared/secrets/secretExistence';
import { clusterPaging } from '../shared/registry/clusterRecord';
import { clusterRegistry } from '../shared/registry/clusterRegistry';
import { parseClusterSpec } from '../shared/spec';
import { ORCHESTRATIONS } from '../shared/names';

export async function createDeployment(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const config = appConfig();
  const parsed = parseClusterSpec(body.value, { defaultSubscriptionId: config.defaultSubscriptionId });
  if (!parsed.ok) return badRequest(parsed.errors);
  const missing = await deploymentPreconditions(
    parsed.spec,
    keyVaultSecretExistence(azureClients().secrets()),
    config.keyVaultUrl ?? '',
  );
  if (missing.length) return badRequest(missing);
  const client = df.getClient(context);
  // A re-POSTed spec of a registered cluster changes its routes at once (a new cluster gets them when registered);
  // only once the resource group is claimed: a 409 (a deployment still running) changes nothing.
  const result = await startDeployment(
    client,
    deploymentLock(),
    ORCHESTRATIONS.deployCluster,
    parsed.spec,
    config.retry,
    () =>
      clusterRegistry().updatePaging(
        parsed.spec.subscriptionId,
        parsed.spec.resourceGroup,
        clusterPaging(parsed.spec.monitoring),
      ),
  );
  const id = result.started ? result.id : result.runningId;
  const statusUrl = new URL(`deployments/${id}`, deploymentsBase(request.url)).toString();
  if (!result.started) {
    return {
      status: 409,
      jsonBody: {
        id,
        statusUrl,
        message: `deployment ${id} of resource group '${parsed.spec.resourceGroup}' is still running`,
      },
    };
  }
  context.info(`deployment ${id} started for resource group ${parsed.spec.resourceGroup}`);
  return { status: 202, headers: { Location: statusUrl }, jsonBody: { id, statusUrl } };
}

/** `https://host/api/deployments` → `https://host/api/` (keeps whatever route prefix the host uses). */
function deploymentsBase(requestUrl: string): string {
  const url = new URL(requestUrl);
  url.search = '';
  url.pathname = url.pathname.replace(/deployments\/?$/, '');
  return url.toString();
}

app.http('deploymentsCreate', {
  route: 'deployments',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: createDeployment,
});
