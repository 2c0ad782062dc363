/**
 * Pure bookkeeping of a deployment's steps along their dependency graph: which are ready, which run, which are
 * done, and the view published as the orchestration's custom status. Deterministic (times are passed in), so the
 * orchestrator can use it on every replay.
 */

export type StepStatus = 'pending' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'interrupted';

export interface StepDefinition {
  name: string;
  dependsOn: string[];
}

export interface StepView {
  name: string;
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  attempts: number;
  detail?: string;
}

export interface DeploymentError {
  step: string;
  code: string;
  message: string;
}

/** One Run Command on one VM (configuration batches): its steps (ids on that VM), when, and how it ended. */
export interface RunCommandStatus {
  vm: string;
  steps: string[];
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  endedAt?: string;
  attempts?: number;
}

export class StepTracker {
  private readonly steps = new Map<string, StepView>();
  private readonly deps = new Map<string, string[]>();
  /** Steps skipped on purpose (not needed): they count as done. */
  private readonly notNeeded = new Set<string>();
  /** The configuration's Run Commands so far (the status says which runs where). */
  readonly runCommands: RunCommandStatus[] = [];

  constructor(definitions: StepDefinition[]) {
    for (const d of definitions) {
      if (this.steps.has(d.name)) throw new Error(`duplicate step '${d.name}'`);
      this.steps.set(d.name, { name: d.name, status: 'pending', attempts: 0 });
      this.deps.set(d.name, d.dependsOn);
    }
    for (const [name, deps] of this.deps) {
      for (const dep of deps)
        if (!this.steps.has(dep)) throw new Error(`step '${name}' depends on unknown step '${dep}'`);
    }
  }

  /** Pending steps whose dependencies all succeeded, in definition order. */
  ready(): string[] {
    const out: string[] = [];
    for (const [name, view] of this.steps) {
      if (view.status === 'pending' && this.deps.get(name)!.every((d) => this.steps.get(d)!.status === 'succeeded'))
        out.push(name);
    }
    return out;
  }

  start(name: string, at: Date): void {
    const s = this.get(name);
    if (s.attempts === 0) s.startedAt = at.toISOString();
    s.status = 'running';
    s.attempts += 1;
    delete s.endedAt;
  }

  retrying(name: string, detail: string): void {
    const s = this.get(name);
    s.status = 'retrying';
    s.detail = detail;
  }

  succeed(name: string, at: Date, detail?: string): void {
    const s = this.get(name);
    s.status = 'succeeded';
    s.endedAt = at.toISOString();
    if (detail === undefined) delete s.detail;
    else s.detail = detail;
  }

  fail(name: string, at: Date, detail: string): void {
    const s = this.get(name);
    s.status = 'failed';
    s.endedAt = at.toISOString();
    s.detail = detail;
  }

  /** Not needed on this run (e.g. the switchover of an already verified cluster): skipped, and counted as done. */
  skip(name: string, at: Date, detail: string): void {
    const s = this.get(name);
    s.status = 'skipped';
    s.startedAt ??= at.toISOString();
    s.endedAt = at.toISOString();
    s.detail = detail;
    this.notNeeded.add(name);
  }

  /** After a failure: steps in flight are no longer awaited; pending ones will not run. */
  abandon(at: Date): void {
    for (const s of this.steps.values()) {
      if (s.status === 'running' || s.status === 'retrying') {
        s.status = 'interrupted';
        s.endedAt = at.toISOString();
      } else if (s.status === 'pending') {
        s.status = 'skipped';
      }
    }
  }

  status(name: string): StepStatus {
    return this.get(name).status;
  }

  attempts(name: string): number {
    return this.get(name).attempts;
  }

  get done(): number {
    let n = 0;
    for (const s of this.steps.values()) if (s.status === 'succeeded' || this.notNeeded.has(s.name)) n++;
    return n;
  }

  get total(): number {
    return this.steps.size;
  }

  get allSucceeded(): boolean {
    return this.done === this.total;
  }

  views(): StepView[] {
    return [...this.steps.values()].map((s) => ({ ...s }));
  }

  private get(name: string): StepView {
    const s = this.steps.get(name);
    if (!s) throw new Error(`unknown step '${name}'`);
    return s;
  }
}
