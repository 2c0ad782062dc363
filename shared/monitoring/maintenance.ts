/**
 * Maintenance of a cluster while one of our own operations switches it over (a deployment of a registered cluster,
 * a failover drill). Two things, both bounded by an `until` safety net (QWK_MAINTENANCE_MAX_MINUTES) so that an
 * operation that dies without ending them cannot hide a cluster forever:
 * - a **maintenance window** on the cluster's registry row: the diagnosis records conditions inside it and opens no
 *   incident (diagnosis.ts, incidents.ts); it is read with the row each evaluation already reads;
 * - a **silence** (shared/paging), id MAINTENANCE_SILENCE_ID(operation): pages of incidents already open are held.
 * Ending lifts the silence at once and shortens the window to `settleSeconds` from now, so that monitoring confirms
 * the switched active node (two probe observations) before a change of it could open an incident.
 *
 * The window arithmetic is pure (exported for tests); begin/end take their stores as arguments.
 */
import type { MaintenanceConfig } from '../config';
import { MAINTENANCE_SILENCE_ID } from '../names';
import type { ClusterRef, Silence } from '../paging/silences';
import type { MaintenanceWindow } from './signals';

/** What an orchestration passes to beginMaintenance / endMaintenance (no clock: the activity reads it). */
export interface MaintenanceRequest {
  cluster: ClusterRef;
  /** The operation's id (deployment or drill instance id). */
  operationId: string;
  /** Why, e.g. "deployment dpl-…" or "failover drill drl-…". */
  reason: string;
}

export interface MaintenanceOutcome {
  /** Whether the cluster is registered (an unregistered cluster gets the silence only: nothing evaluates it). */
  registered: boolean;
  until: string;
}

const live = (windows: readonly MaintenanceWindow[], nowMs: number) =>
  windows.filter((w) => !Number.isNaN(Date.parse(w.until)) && Date.parse(w.until) > nowMs);

/** The windows with the operation's own (re)opened, expired ones dropped. Idempotent for one operation. */
export function openWindow(
  windows: readonly MaintenanceWindow[],
  request: Pick<MaintenanceRequest, 'operationId' | 'reason'>,
  now: Date,
  maxMinutes: number,
): MaintenanceWindow[] {
  const mine = windows.find((w) => w.by === request.operationId);
  const keep = live(windows, now.getTime()).filter((w) => w.by !== request.operationId);
  return [
    ...keep,
    mine && Date.parse(mine.until) > now.getTime()
      ? mine
      : {
          from: now.toISOString(),
          until: new Date(now.getTime() + maxMinutes * 60_000).toISOString(),
          reason: request.reason,
          by: request.operationId,
        },
  ];
}

/** The windows with the operation's own ending `settleSeconds` from now (never later than it would have). */
export function closeWindow(
  windows: readonly MaintenanceWindow[],
  operationId: string,
  now: Date,
  settleSeconds: number,
): MaintenanceWindow[] {
  const end = now.getTime() + settleSeconds * 1000;
  return live(
    windows.map((w) =>
      w.by === operationId && Date.parse(w.until) > end ? { ...w, until: new Date(end).toISOString() } : w,
    ),
    now.getTime(),
  );
}

/**
 * The window a cluster is registered with when the deployment registering it is still in maintenance (its silence
 * `maintenance-<deployment id>` holds): a first deployment's cluster is not registered when the deployment begins,
 * so it has no window until then, and its first evaluations (the relay's first snapshot not stored yet, the active
 * node not confirmed) would otherwise open incidents while the deployment still runs. Ends with the silence's until;
 * endMaintenance shortens it like any other.
 */
export function registrationWindow(
  silence: Pick<Silence, 'until' | 'reason'> | undefined,
  deploymentId: string,
  now: Date,
): MaintenanceWindow[] {
  if (!silence || !(Date.parse(silence.until) > now.getTime())) return [];
  return [{ from: now.toISOString(), until: silence.until, reason: silence.reason, by: deploymentId }];
}

export interface MaintenanceDeps {
  registry: {
    updateMaintenance(
      subscriptionId: string,
      resourceGroup: string,
      change: (windows: MaintenanceWindow[]) => MaintenanceWindow[],
    ): Promise<boolean>;
  };
  silences: {
    putSilence(s: Silence): Promise<void>;
    deleteSilence(cluster: ClusterRef, id: string): Promise<boolean>;
  };
  config: MaintenanceConfig;
  now(): Date;
}

export async function beginMaintenance(req: MaintenanceRequest, deps: MaintenanceDeps): Promise<MaintenanceOutcome> {
  const now = deps.now();
  const until = new Date(now.getTime() + deps.config.maxMinutes * 60_000).toISOString();
  await deps.silences.putSilence({
    id: MAINTENANCE_SILENCE_ID(req.operationId),
    subscriptionId: req.cluster.subscriptionId,
    resourceGroup: req.cluster.resourceGroup,
    startsAt: now.toISOString(),
    until,
    reason: req.reason,
    createdBy: req.operationId,
    createdAt: now.toISOString(),
  });
  const registered = await deps.registry.updateMaintenance(
    req.cluster.subscriptionId,
    req.cluster.resourceGroup,
    (windows) => openWindow(windows, req, now, deps.config.maxMinutes),
  );
  return { registered, until };
}

export async function endMaintenance(
  req: Pick<MaintenanceRequest, 'cluster' | 'operationId'>,
  deps: MaintenanceDeps,
): Promise<{ registered: boolean; silenceLifted: boolean }> {
  const now = deps.now();
  const silenceLifted = await deps.silences.deleteSilence(req.cluster, MAINTENANCE_SILENCE_ID(req.operationId));
  const registered = await deps.registry.updateMaintenance(
    req.cluster.subscriptionId,
    req.cluster.resourceGroup,
    (windows) => closeWindow(windows, req.operationId, now, deps.config.settleSeconds),
  );
  return { registered, silenceLifted };
}
