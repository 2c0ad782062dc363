/**
 * The one-line text of a page, shared by every channel: short and specific, what a person needs to read first,
 * e.g. "Clstr-nodeA lost; Clstr-nodeB took over pgsql-5432 (LKL-QWK-storage)". Pure.
 */
import type { IncidentTransition } from '../monitoring/contracts';

/** Cuts `text` to at most `max` characters (code points), ending in '…' when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** The headline of an incident, without the cluster. */
export function incidentHeadline(t: IncidentTransition): string {
  const i = t.incident;
  const service = t.cluster.serviceTag ?? 'the service';
  switch (i.kind) {
    case 'FailedOver': {
      const from = i.from ?? i.node ?? 'the active node';
      const to = i.to ?? t.cluster.activeNode ?? 'the standby';
      return `${from} lost; ${to} took over ${service}`;
    }
    case 'NodeLost':
      return `${i.node ?? 'a node'} lost: its QWK object stopped advancing`;
    case 'SplitBrain':
      return `Split brain: both nodes answer the load balancer probe for ${service}`;
    case 'Outage':
      return `Outage: no node answers the load balancer probe for ${service}`;
    case 'CommPathsDown':
      return 'Communication paths down: one more failure stops every resource (guide §9.4)';
    case 'WitnessLost':
      return 'QWK witness lost: repair it now, a comm-path failure would stop every resource (guide §9.4)';
    case 'MonitoringBlind': {
      const first = i.lastEvidence[0]?.text;
      return `Monitoring blind${first ? `: ${first}` : ''}`;
    }
  }
}

export interface SummaryOptions {
  /** A reminder for an incident still open (Monitoring 4/5 `repeatMinutes`). */
  reminder?: boolean;
}

/** The page's summary: prefix, headline and the cluster (resource group) in parentheses; at most `max` characters. */
export function incidentSummary(t: IncidentTransition, max = 1024, opts: SummaryOptions = {}): string {
  const prefix =
    t.kind === 'resolved'
      ? 'Resolved: '
      : opts.reminder
        ? 'Still open: '
        : t.kind === 'updated' && t.previousSeverity && t.previousSeverity !== t.incident.severity
          ? `Now ${t.incident.severity}: `
          : '';
  const cluster = ` (${t.cluster.resourceGroup})`;
  // The cluster is never cut off: the headline gives way first.
  const room = Math.max(0, max - Array.from(prefix + cluster).length);
  return truncate(`${prefix}${truncate(incidentHeadline(t), room)}${cluster}`, max);
}
