/** POST /api/deployments/{id}/cancel — stop a running deployment (or tear-down) and release its resource group. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { cancelDeployment } from '../shared/deployments/deploymentCancel';
import { deploymentLock } from '../shared/deployments/deploymentLockFactory';
import { deploymentView } from '../shared/deployments/deploymentView';
import { notFound } from '../shared/http/problems';
import { endMaintenance } from '../shared/monitoring/maintenance';
import { maintenanceDeps } from '../shared/monitoring/monitoringServices';

export async function cancelDeploymentHttp(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const client = df.getClient(context);
  const result = await cancelDeployment(client, deploymentLock(), id, 'cancelled through the API');
  if (result.outcome === 'notFound') return notFound(`no deployment '${id}'`);
  if (result.outcome === 'notRunning')
    return {
      status: 409,
      jsonBody: {
        errors: [{ path: '', message: `deployment '${id}' is not running (it is ${result.runtimeStatus})` }],
      },
    };
  // A terminated orchestration runs no more code: lift the maintenance and silence it put on its cluster here.
  if (result.target) {
    try {
      await endMaintenance({ cluster: result.target, operationId: id }, maintenanceDeps());
    } catch (err) {
      // The cancel itself succeeded; the window and the silence expire at their `until`.
      context.warn(`deployment ${id}: maintenance not ended (${(err as Error).message}); it expires at its until`);
    }
  }
  context.info(`deployment ${id} cancelled (${result.children} sub-orchestrations terminated)`);
  // The terminate has been applied (cancelDeployment waits for it): answer with the view the status URL shows.
  return { status: 200, jsonBody: deploymentView(await client.getStatus(id, { showInput: false })) };
}

app.http('deploymentsCancel', {
  route: 'deployments/{id}/cancel',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: cancelDeploymentHttp,
});
