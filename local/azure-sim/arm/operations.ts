import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArmError, type ArmErrorBody } from './errors';
import type { Fault } from './faults';
import type { Journal, Operation } from './journal';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

/** A long-running operation, as its Azure-AsyncOperation / Location endpoints report it. */
export interface AsyncOperation {
  id: string;
  op: string;
  resourceId: string;
  subscriptionId: string;
  /** Microsoft.Network | Microsoft.Compute | Microsoft.Resources */
  provider: string;
  location: string;
  status: OperationStatus;
  startTime: Date;
  endTime?: Date;
  /** Expected completion (epoch ms); Infinity when it never finishes, undefined while it depends on real work. */
  expectedEnd?: number;
  error?: ArmErrorBody;
  /** What the Location endpoint returns once Succeeded (e.g. the Run Command result). */
  result?: unknown;
  /** Resolves when the operation reached a terminal state. */
  done: Promise<void>;
}

export interface StartOperation {
  op: string;
  resourceId: string;
  subscriptionId: string;
  provider: string;
  location: string;
  /** Scaled minimum duration (ms). */
  delayMs: number;
  /**
   * The operation's effect. 'after' (default): runs once the delay elapsed (commits state). 'concurrent': starts at
   * once, and the operation ends at max(delay, work end + tailMs).
   */
  work?: () => Promise<unknown>;
  workMode?: 'after' | 'concurrent';
  tailMs?: number;
  fault?: Fault;
  onFailed?: (error: ArmErrorBody) => void;
  journal?: Operation;
}

function toErrorBody(err: unknown): ArmErrorBody {
  if (err instanceof ArmError) return err.body().error;
  const e = err as { code?: unknown; message?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'InternalServerError',
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}

/** Runs long-running operations against the wall clock and keeps their status for the polling endpoints. */
export class OperationManager {
  private readonly ops = new Map<string, AsyncOperation>();
  private abort = new AbortController();

  constructor(private readonly journal: Journal) {}

  get(id: string): AsyncOperation | undefined {
    return this.ops.get(id.toLowerCase());
  }

  start(spec: StartOperation): AsyncOperation {
    const id = randomUUID();
    const signal = this.abort.signal;
    const startTime = new Date();
    const never = spec.fault?.kind === 'lroNeverFinishes';
    const concurrent = spec.workMode === 'concurrent';
    const op: AsyncOperation = {
      id,
      op: spec.op,
      resourceId: spec.resourceId,
      subscriptionId: spec.subscriptionId,
      provider: spec.provider,
      location: spec.location,
      status: 'InProgress',
      startTime,
      expectedEnd: never ? Infinity : concurrent ? undefined : startTime.getTime() + spec.delayMs,
      done: Promise.resolve(),
    };
    const finish = (status: OperationStatus, error?: ArmErrorBody) => {
      op.status = status;
      op.endTime = new Date();
      op.error = error;
      if (error) spec.onFailed?.(error);
      if (spec.journal) this.journal.finish(spec.journal, status === 'InProgress' ? 'Failed' : status, error?.code);
    };
    const run = async (): Promise<void> => {
      if (never) {
        await new Promise<void>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
        );
        return;
      }
      let result: unknown;
      if (concurrent) {
        const [value] = await Promise.all([spec.work?.(), sleep(spec.delayMs, undefined, { signal })]);
        result = value;
        op.expectedEnd = Date.now() + (spec.tailMs ?? 0);
        if (spec.tailMs) await sleep(spec.tailMs, undefined, { signal });
      } else {
        await sleep(spec.delayMs, undefined, { signal });
      }
      if (spec.fault?.kind === 'lroFailed') {
        throw new ArmError(
          500,
          spec.fault.code ?? 'InternalServerError',
          spec.fault.message ?? `The operation '${spec.op}' failed (injected fault).`,
        );
      }
      if (!concurrent) result = await spec.work?.();
      op.result = result;
    };
    op.done = run().then(
      () => finish('Succeeded'),
      (err) => (signal.aborted ? finish('Canceled') : finish('Failed', toErrorBody(err))),
    );
    this.ops.set(id, op);
    return op;
  }

  /** Cancels every running operation (their status becomes Canceled) and forgets them all. */
  async reset(): Promise<void> {
    this.abort.abort(new Error('simulator reset'));
    await Promise.all([...this.ops.values()].map((o) => o.done));
    this.ops.clear();
    this.abort = new AbortController();
  }
}
