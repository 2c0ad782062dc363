/**
 * One evaluation of one cluster, PURE: the diagnosis, then the incident lifecycle on its conditions. The store
 * (incidentStore.ts) runs this on what it read and writes what it returns, re-running it when it lost a race.
 */
import type { Incident, IncidentTransition } from './contracts';
import { diagnose, type ClusterHealth, type TimelineEntry } from './diagnosis';
import { recordHistory, type HistoryAccumulator, type HistoryRow } from './historyRecord';
import { incidentLifecycle } from './incidents';
import {
  DEFAULT_DIAGNOSIS_OPTIONS,
  DEFAULT_RELAY_INTERVAL_SECONDS,
  qwkGapSeconds,
  type ClusterSignals,
  type DiagnosisOptions,
} from './signals';

/** What is kept per cluster between evaluations. */
export interface ClusterMemory {
  health?: ClusterHealth;
  /** The latest revision of every incident of the cluster, open or resolved. */
  incidents: Incident[];
  /** What the reports' history accumulates between evaluations (historyRecord.ts). */
  history?: HistoryAccumulator;
}

export interface EvaluationOutcome {
  health: ClusterHealth;
  incidents: Incident[];
  transitions: IncidentTransition[];
  timeline: TimelineEntry[];
  history?: HistoryAccumulator;
  /** Rows for TABLES.clusterHistory (a finished minute, a probe change, a gap opening or closing). */
  historyRows?: HistoryRow[];
}

export interface EvaluationContext {
  options?: DiagnosisOptions;
  serviceTag?: string;
  /** The cluster page's URL, carried by each transition for the pages. */
  link?: string;
}

export function evaluateCluster(
  signals: ClusterSignals,
  memory: ClusterMemory,
  context: EvaluationContext = {},
): EvaluationOutcome {
  const { health, timeline } = diagnose(signals, memory.health, context.options ?? DEFAULT_DIAGNOSIS_OPTIONS);
  const { incidents, transitions } = incidentLifecycle({
    subscriptionId: signals.facts.subscriptionId,
    resourceGroup: signals.facts.resourceGroup,
    incidents: memory.incidents,
    conditions: health.conditions,
    now: signals.now,
    maintenance: health.maintenance,
    cluster: {
      state: health.state,
      ...(health.activeNode !== undefined ? { activeNode: health.activeNode } : {}),
      ...(context.serviceTag !== undefined ? { serviceTag: context.serviceTag } : {}),
      ...(context.link !== undefined ? { link: context.link } : {}),
    },
  });
  const recorded = recordHistory(memory.history, health, memory.health, {
    qwkGapSeconds: qwkGapSeconds(
      signals.facts.qwk.hbeatTime,
      signals.facts.relayIntervalSeconds ?? DEFAULT_RELAY_INTERVAL_SECONDS,
    ),
  });
  return { health, incidents, transitions, timeline, history: recorded.history, historyRows: recorded.rows };
}
