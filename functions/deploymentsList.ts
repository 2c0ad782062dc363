/** GET /api/deployments — every deployment and cluster tear-down (`operation`), newest first, without their steps. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { deploymentView, REPORTED_ORCHESTRATIONS } from '../shared/deployments/deploymentView';

export async function listDeployments(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const client = df.getClient(context);
  const all = await client.getStatusAll();
  const deployments = all
    .filter((s) => REPORTED_ORCHESTRATIONS.has(s.name))
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
