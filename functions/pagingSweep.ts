/** Timer, every minute: reminders of critical incidents still open, and held triggers whose hold has ended. */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { sweep } from '../shared/paging/pipeline';
import { pipelineDeps } from '../shared/paging/runtime';

export async function pagingSweep(_timer: Timer, context: InvocationContext): Promise<void> {
  const r = await sweep(pipelineDeps((m) => context.info(m)));
  if (r.reminders || r.catchUps) context.info(`paging sweep: ${r.reminders} reminders, ${r.catchUps} held triggers`);
}

app.timer('pagingSweep', { schedule: '0 * * * * *', handler: pagingSweep });
