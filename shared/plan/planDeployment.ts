/** planDeployment: resolved cluster spec → the resource graph to create, topologically sorted. Pure. */
import type { ClusterSpec } from '../spec';
import { availabilitySet, virtualMachine } from './computeResources';
import { KEYS, planContext, planned } from './context';
import {
  loadBalancer,
  natGateway,
  networkInterfaces,
  publicIps,
  securityGroups,
  virtualNetwork,
} from './networkResources';
import type { DeploymentPlan, PlannedResource } from './types';

export function planDeployment(spec: ClusterSpec): DeploymentPlan {
  const ctx = planContext(spec);
  const resources: PlannedResource[] = [
    planned('resourceGroup', KEYS.resourceGroup, spec.resourceGroup, ctx.ids.resourceGroup, [], {
      location: ctx.location,
      tags: ctx.tags,
    }),
    ...securityGroups(ctx),
    ...publicIps(ctx),
    ...natGateway(ctx),
    availabilitySet(ctx),
    virtualNetwork(ctx),
    loadBalancer(ctx),
    ...ctx.vms.flatMap((vm) => networkInterfaces(ctx, vm)),
    ...ctx.vms.map((vm) => virtualMachine(ctx, vm)),
  ];
  return {
    subscriptionId: spec.subscriptionId,
    resourceGroup: spec.resourceGroup,
    location: spec.location,
    resources: topologicalOrder(resources),
    credentials: { kind: spec.vm.auth.kind, secretName: spec.keyVault.adminCredentialsSecretName },
  };
}

/**
 * Orders resources so that each comes after its dependencies (Kahn's algorithm, keeping the given order among
 * resources that are ready together). Throws on an unknown dependency or a cycle: both are planner bugs.
 */
export function topologicalOrder<R extends { key: string; dependsOn: string[] }>(resources: R[]): R[] {
  const byKey = new Map(resources.map((r) => [r.key, r]));
  for (const r of resources) {
    for (const dep of r.dependsOn) {
      if (!byKey.has(dep)) throw new Error(`resource ${r.key} depends on unknown resource ${dep}`);
    }
  }
  const done = new Set<string>();
  const ordered: R[] = [];
  while (ordered.length < resources.length) {
    const ready = resources.filter((r) => !done.has(r.key) && r.dependsOn.every((d) => done.has(d)));
    if (ready.length === 0) {
      const stuck = resources.filter((r) => !done.has(r.key)).map((r) => r.key);
      throw new Error(`dependency cycle among ${stuck.join(', ')}`);
    }
    for (const r of ready) {
      done.add(r.key);
      ordered.push(r);
    }
  }
  return ordered;
}
