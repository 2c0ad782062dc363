/** The longest path through the plan's dependency graph: the best possible makespan with unlimited parallelism. */
import { topologicalOrder } from './planDeployment';
import type { DeploymentPlan } from './types';

export interface CriticalPath {
  /** sum of the durations along the path (the unit of durationsByKey) */
  duration: number;
  /** resource keys from the first step to the last */
  keys: string[];
}

/** A resource with no duration in `durationsByKey` counts as 0. */
export function criticalPath(
  plan: Pick<DeploymentPlan, 'resources'>,
  durationsByKey: Record<string, number> | ReadonlyMap<string, number>,
): CriticalPath {
  const durationOf = (key: string) =>
    (durationsByKey instanceof Map ? durationsByKey.get(key) : (durationsByKey as Record<string, number>)[key]) ?? 0;
  const finish = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  for (const r of topologicalOrder(plan.resources)) {
    let previous: string | undefined;
    for (const dep of r.dependsOn) {
      if (previous === undefined || finish.get(dep)! > finish.get(previous)!) previous = dep;
    }
    const start = previous === undefined ? 0 : finish.get(previous)!;
    finish.set(r.key, start + durationOf(r.key));
    via.set(r.key, previous);
  }
  let last: string | undefined;
  for (const [key, f] of finish) if (last === undefined || f > finish.get(last)!) last = key;
  const keys: string[] = [];
  for (let k = last; k !== undefined; k = via.get(k)) keys.unshift(k);
  return { duration: last === undefined ? 0 : finish.get(last)!, keys };
}
