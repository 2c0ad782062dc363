/** How the local host logs an orchestrator's failure: one line, without the replay state durable-functions appends. */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import path from 'node:path';
import { splitOrchestrationFailure } from '../../local/host/invoker';

// The error durable-functions throws when an orchestrator fails (not exported by the package's typings).
const { OrchestrationFailureError } = createRequire(path.resolve('package.json'))(
  'durable-functions/lib/src/error/OrchestrationFailureError',
) as { OrchestrationFailureError: new (error: unknown, state: unknown) => Error };

describe('splitOrchestrationFailure', () => {
  it('keeps the error and the size of the state, on one line', () => {
    const state = { isDone: false, actions: [[{ actionType: 0, functionName: 'x', input: 'y'.repeat(40_000) }]] };
    const err = new OrchestrationFailureError(
      new Error('verify: ActivityFailed: not Succeeded\n  after 3 attempts'),
      state,
    );
    const line = splitOrchestrationFailure(err.message);
    expect(line).toMatch(
      /^verify: ActivityFailed: not Succeeded after 3 attempts \(orchestrator state: \d+ bytes, not logged\)$/,
    );
    expect(Number(/state: (\d+) bytes/.exec(line ?? '')?.[1])).toBe(Buffer.byteLength(JSON.stringify(state)));
  });

  it('leaves other failures alone', () => {
    expect(splitOrchestrationFailure('ECONNRESET: socket hang up')).toBeUndefined();
  });
});
