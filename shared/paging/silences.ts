/**
 * Silences (Monitoring 4/5): a silence suppresses a cluster's pages until a time; incidents are still recorded, and
 * resolves still go out for what was paged (see decide.ts). Pure.
 */

export interface Silence {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  /** ISO time from which it applies (default: when created). */
  startsAt?: string;
  /** ISO time it ends (exclusive). */
  until: string;
  reason: string;
  /** Who or what created it, e.g. "deployment <id>" or "failover drill" for the automatic silences. */
  createdBy?: string;
  createdAt?: string;
}

export interface ClusterRef {
  subscriptionId: string;
  resourceGroup: string;
}

function sameCluster(s: ClusterRef, c: ClusterRef): boolean {
  // Resource group names are case-insensitive in Azure; subscription ids are GUIDs.
  return (
    s.subscriptionId.toLowerCase() === c.subscriptionId.toLowerCase() &&
    s.resourceGroup.toLowerCase() === c.resourceGroup.toLowerCase()
  );
}

/** The silences of `cluster` in force at `now`. */
export function activeSilences(silences: readonly Silence[], cluster: ClusterRef, now: Date): Silence[] {
  const t = now.getTime();
  return silences.filter((s) => {
    if (!sameCluster(s, cluster)) return false;
    const start = s.startsAt ? Date.parse(s.startsAt) : Number.NEGATIVE_INFINITY;
    const end = Date.parse(s.until);
    return !Number.isNaN(end) && start <= t && t < end;
  });
}

/** Whether the cluster's pages are silenced at `now`. */
export function isSilenced(silences: readonly Silence[], cluster: ClusterRef, now: Date): boolean {
  return activeSilences(silences, cluster, now).length > 0;
}

/** When the cluster's current silences all end (the latest `until`), or undefined when none is in force. */
export function silencedUntil(silences: readonly Silence[], cluster: ClusterRef, now: Date): string | undefined {
  const active = activeSilences(silences, cluster, now);
  if (!active.length) return undefined;
  return new Date(Math.max(...active.map((s) => Date.parse(s.until)))).toISOString();
}
