/** GET /api/deployments/{id} — where one deployment (or cluster tear-down) stands, step by step. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { instanceStatus } from '../shared/azure/durableStatus';
import { deploymentView, REPORTED_ORCHESTRATIONS } from '../shared/deployments/deploymentView';
import { notFound } from '../shared/http/problems';

export async function getDeployment(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const status = await instanceStatus(df.getClient(context), id, false);
  if (!status || !REPORTED_ORCHESTRATIONS.has(status.name)) return notFound(`no deployment '${id}'`);
  return { status: 200, jsonBody: deploymentView(status) };
}

app.http('deploymentsGet', {
  route: 'deployments/{id}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: getDeployment,
});
