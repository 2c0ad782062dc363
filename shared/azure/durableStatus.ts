/** Reading an orchestration instance's status through the Durable client, where "no such instance" is an answer. */
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import { isDurableInstanceNotFound } from './errors';

/** The instance's status, or undefined when the task hub has no instance of that id. */
export async function instanceStatus(
  client: DurableClient,
  id: string,
  showInput: boolean,
): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(id, { showInput });
  } catch (err) {
    if (isDurableInstanceNotFound(err)) return undefined;
    throw err;
  }
}
