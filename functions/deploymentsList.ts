/** GET /api/deployments — every deployment, newest first, without their steps. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { deploymentView } from '../shared/deployments/deploymentView';
import { ORCHESTRATIONS } from '../shared/names';

export async function listDeployments(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const client = df.getClient(context);
  const all = await client.getStatusAll();
  const deployments = all
    .filter((s) => s.name === ORCHESTRATIONS.deployCluster)
    .map((s) => {
      const { steps: _steps, ...rest } = deploymentView(s);
      return rest;
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { status: 200, jsonBody: deployments };
}

app.http('deploymentsList', {
  route: 'deployments',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: listDeployments,
});
