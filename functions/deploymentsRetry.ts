/** POST /api/deployments/{id}/retry — resume a failed (or cancelled) deployment with its own stored spec. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appConfig } from '../shared/config';
import { deploymentLock } from '../shared/deployments/deploymentLockFactory';
import { retryDeployment } from '../shared/deployments/deploymentRetry';
import { notFound } from '../shared/http/problems';

export async function retryDeploymentHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const client = df.getClient(context);
  const result = await retryDeployment(client, deploymentLock(), id, appConfig().retry);
  if (result.outcome === 'notFound') return notFound(`no deployment '${id}'`);
  // https://host/api/deployments/{id}/retry → https://host/api/deployments/{other}
  const statusUrlOf = (other: string) => {
    const url = new URL(request.url);
    url.search = '';
    url.pathname = url.pathname.replace(/[^/]+\/retry\/?$/, encodeURIComponent(other));
    return url.toString();
  };
  if (result.outcome === 'notRetryable')
    return {
      status: 409,
      jsonBody: {
        errors: [
          {
            path: '',
            message: `deployment '${id}' is ${result.runtimeStatus}: only a Failed or cancelled (Terminated) deployment is retried`,
          },
        ],
      },
    };
  if (result.outcome === 'busy')
    return {
      status: 409,
      jsonBody: {
        id: result.runningId,
        statusUrl: statusUrlOf(result.runningId),
        message: `deployment ${result.runningId} of the same resource group is still running`,
      },
    };
  const statusUrl = statusUrlOf(result.id);
  context.info(`deployment ${result.id} started for resource group ${result.resourceGroup}: a retry of ${id}`);
  return { status: 202, headers: { Location: statusUrl }, jsonBody: { id: result.id, statusUrl, retryOf: id } };
}

app.http('deploymentsRetry', {
  route: 'deployments/{id}/retry',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: retryDeploymentHttp,
});
