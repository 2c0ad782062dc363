/** The steps of a deployment's status, derived from its plan and spec (pure). Names: STEPS in shared/names.ts. */
import { configStepRefs, configurationStages } from '../configure/stages';
import { STEPS } from '../names';
import type { DeploymentPlan } from '../plan';
import { scriptParamsFromSpec } from '../scripts';
import type { ClusterSpec } from '../spec';
import type { StepDefinition } from './stepTracker';

/** The infrastructure's steps: the admin credential (every VM waits for it), each resource, then the read-back. */
export function deploymentSteps(plan: DeploymentPlan): StepDefinition[] {
  return [
    { name: STEPS.credentials, dependsOn: [] },
    ...plan.resources.map((r) => ({
      name: r.key,
      dependsOn: r.kind === 'virtualMachine' ? [...r.dependsOn, STEPS.credentials] : [...r.dependsOn],
    })),
    { name: STEPS.verify, dependsOn: plan.resources.map((r) => r.key) },
  ];
}

/**
 * The configuration's steps, after `after` (the infrastructure's last steps): prepare, each VM's steps, register,
 * then the cluster's Azure alerts.
 */
export function configurationStepDefinitions(spec: ClusterSpec, after: string[]): StepDefinition[] {
  const refs = configStepRefs(configurationStages(scriptParamsFromSpec(spec)));
  const names = refs.map((r) => STEPS.configure(r.vm, r.id));
  return [
    { name: STEPS.prepare, dependsOn: after },
    ...names.map((name) => ({ name, dependsOn: [STEPS.prepare] })),
    { name: STEPS.register, dependsOn: names },
    { name: STEPS.alerts, dependsOn: [STEPS.register] },
  ];
}
