/** GET /api/deployments/{id} — where one deployment (or cluster tear-down) stands, step by step. */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { isDurableInstanceNotFound } from '../shared/azure/errors';
import { deploymentView, REPORTED_ORCHESTRATIONS } from '../shared/deployments/deploymentView';
import { notFound } from '../shared/http/problems';

export async function getDeployment(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const client = df.getClient(context);
  try {
    const status = await client.getStatus(id, { showInput: false });
    if (!REPORTED_ORCHESTRATIONS.has(status.name)) return notFound(`no deployment '${id}'`);
    return { status: 200, jsonBody: deploymentView(status) };
  } catch (err) {
    if (isDurableInstanceNotFound(err)) return notFound(`no deployment '${id}'`);
    throw err;
  }
}

app.http('deploymentsGet', {
  route: 'deployments/{id}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: getDeployment,
});
