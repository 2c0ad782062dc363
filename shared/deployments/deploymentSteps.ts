/** The steps of an infrastructure deployment, derived from its plan (pure). */
import type { DeploymentPlan } from '../plan';
import type { StepDefinition } from './stepTracker';

/** Admin credential into Key Vault; every VM waits for it. */
export const CREDENTIALS_STEP = 'credentials';
/** Reads back every resource once all exist. */
export const VERIFY_STEP = 'verify';

export function deploymentSteps(plan: DeploymentPlan): StepDefinition[] {
  return [
    { name: CREDENTIALS_STEP, dependsOn: [] },
    ...plan.resources.map((r) => ({
      name: r.key,
      dependsOn: r.kind === 'virtualMachine' ? [...r.dependsOn, CREDENTIALS_STEP] : [...r.dependsOn],
    })),
    { name: VERIFY_STEP, dependsOn: plan.resources.map((r) => r.key) },
  ];
}
