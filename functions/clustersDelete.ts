/**
 * DELETE /api/clusters/{subscriptionId}/{resourceGroup}[?deleteResources=true] — deregister a cluster from
 * monitoring; with deleteResources also delete its resource group and generated secrets. The `x-qwk-confirm`
 * header must repeat the resource group's name. Answers 202 + Location of the operation's status
 * (GET /api/deployments/{id}, like a deployment's).
 */
import { isNotFound } from '../shared/azure/errors';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { azureClients } from '../shared/azure/clients';
import { appConfig } from '../shared/config';
import { deploymentLock } from '../shared/deployments/deploymentLockFactory';
import { badRequest, notFound } from '../shared/http/problems';
import { clusterRegistry } from '../shared/registry/clusterRegistry';
import {
  CONFIRM_HEADER,
  confirmationError,
  generatedSecretNames,
  parseDeleteResources,
} from '../shared/teardown/teardown';
import { startTeardown } from '../shared/teardown/teardownStarter';

export async function deleteCluster(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const subscriptionId = request.params.subscriptionId ?? '';
  const resourceGroup = request.params.resourceGroup ?? '';
  const deleteResources = parseDeleteResources(request.query.get('deleteResources'));
  if (!deleteResources.ok) return badRequest([deleteResources.error]);
  const unconfirmed = confirmationError(resourceGroup, request.headers.get(CONFIRM_HEADER));
  if (unconfirmed) return badRequest([unconfirmed]);

  const record = await clusterRegistry().get(subscriptionId, resourceGroup);
  let location = record?.location ?? '';
  if (!record) {
    const group = deleteResources.value
      ? await azureClients()
          .resources(subscriptionId)
          .resourceGroups.get(resourceGroup)
          .catch((err: unknown) => {
            if (isNotFound(err)) return undefined;
            throw err;
          })
      : undefined;
    if (!group)
      return notFound(
        deleteResources.value
          ? `no cluster registered and no resource group '${resourceGroup}' in subscription '${subscriptionId}'`
          : `no cluster registered for '${subscriptionId}/${resourceGroup}'`,
      );
    location = group.location;
  }

  const client = df.getClient(context);
  const result = await startTeardown(client, deploymentLock(), {
    cluster: { subscriptionId, resourceGroup, location },
    deleteResources: deleteResources.value,
    secretNames: deleteResources.value ? generatedSecretNames(subscriptionId, resourceGroup) : [],
    retry: appConfig().retry,
  });
  const id = result.started ? result.id : result.runningId;
  const statusUrl = statusUrlOf(request.url, id);
  if (!result.started)
    return {
      status: 409,
      jsonBody: {
        id,
        statusUrl,
        message: `deployment ${id} of resource group '${resourceGroup}' is still running: cancel it or wait`,
      },
    };
  context.info(`teardown ${id} started for ${resourceGroup} (deleteResources=${deleteResources.value})`);
  return { status: 202, headers: { Location: statusUrl }, jsonBody: { id, statusUrl } };
}

/** `https://host/api/clusters/{sub}/{rg}?…` → `https://host/api/deployments/{id}`. */
function statusUrlOf(requestUrl: string, id: string): string {
  const url = new URL(requestUrl);
  url.search = '';
  url.pathname = url.pathname.replace(/clusters\/[^/]+\/[^/]+\/?$/, `deployments/${id}`);
  return url.toString();
}

app.http('clustersDelete', {
  route: 'clusters/{subscriptionId}/{resourceGroup}',
  methods: ['DELETE'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: deleteCluster,
});
