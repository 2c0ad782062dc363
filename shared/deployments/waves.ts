/**
 * Splits a step graph into waves that an orchestrator can run one `Task.all` at a time.
 *
 * Why waves and not "start each step when its dependencies finish" with `Task.any` over the pending set: the
 * Durable Functions out-of-process protocol replays every action of each yield, and a task re-yielded inside a
 * new `Task.any` is scheduled again by the extension (a duplicate activity, and results matched to the wrong
 * tasks). Each task must be yielded exactly once, so completions are awaited per wave.
 *
 * Steps are placed As Late As Possible: a step's wave is (number of waves − 1 − the longest chain of dependents
 * below it). Steps on the critical path then run back to back, and off-path steps (the witness VM, NSGs) join
 * the wave that needs them instead of holding up an earlier one — so for a graph whose waves are each dominated
 * by one critical step, the makespan equals the critical path.
 */
import type { StepDefinition } from './stepTracker';

export function alapWaves(steps: StepDefinition[]): string[][] {
  const dependents = new Map<string, string[]>(steps.map((s) => [s.name, []]));
  for (const s of steps) for (const d of s.dependsOn) dependents.get(d)?.push(s.name);

  const height = new Map<string, number>(); // longest chain of dependents below the step
  const visiting = new Set<string>();
  const heightOf = (name: string): number => {
    const known = height.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) throw new Error(`dependency cycle through step '${name}'`);
    visiting.add(name);
    const h = Math.max(-1, ...dependents.get(name)!.map(heightOf)) + 1;
    visiting.delete(name);
    height.set(name, h);
    return h;
  };
  const depth = new Map<string, number>(); // longest chain of dependencies above the step
  const depthOf = (name: string, deps: Map<string, string[]>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const d = Math.max(-1, ...deps.get(name)!.map((x) => depthOf(x, deps))) + 1;
    depth.set(name, d);
    return d;
  };
  const deps = new Map(steps.map((s) => [s.name, s.dependsOn]));
  const count = Math.max(0, ...steps.map((s) => heightOf(s.name) + depthOf(s.name, deps) + 1));
  const waves: string[][] = Array.from({ length: count }, () => []);
  for (const s of steps) waves[count - 1 - heightOf(s.name)]?.push(s.name);
  return waves.filter((w) => w.length > 0);
}
