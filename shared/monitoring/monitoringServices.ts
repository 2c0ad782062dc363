/** The monitoring services on the app's storage account and Azure clients (process-wide, built on first use). */
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { azureClients } from '../azure/clients';
import { appConfig, ConfigError, loadMaintenanceConfig, monitoringConfig, SETTINGS } from '../config';
import { pagingStore } from '../paging/store';
import { clusterRegistry } from '../registry/clusterRegistry';
import { QUEUES } from '../names';
import { AlertStore } from './alertStore';
import { ClusterMonitor, RECHECK_SECONDS, sdkSignalReaders, type ShardMessage } from './clusterMonitor';
import { IncidentStore } from './incidentStore';
import type { MaintenanceDeps } from './maintenance';
import { qwkSnapshotStore } from './qwkSnapshotStore';

let store: IncidentStore | undefined;
let alerts: AlertStore | undefined;
let monitor: ClusterMonitor | undefined;

function storage(): string {
  const c = appConfig().storageConnection;
  if (!c) throw new ConfigError(`${SETTINGS.storage} is not set`);
  return c;
}

export function incidentStore(): IncidentStore {
  return (store ??= IncidentStore.fromConnectionString(storage()));
}

export function alertStore(): AlertStore {
  return (alerts ??= AlertStore.fromConnectionString(storage()));
}

export function clusterMonitor(warn: (message: string, data: Record<string, unknown>) => void): ClusterMonitor {
  monitor ??= new ClusterMonitor({
    registry: clusterRegistry(),
    snapshots: qwkSnapshotStore(),
    store: incidentStore(),
    alerts: alertStore(),
    readers: sdkSignalReaders(azureClients()),
    now: () => new Date(),
    alertLookbackMinutes: monitoringConfig().alertLookbackMinutes,
    ...(appConfig().publicUrl ? { publicUrl: appConfig().publicUrl } : {}),
    warn: (m, d) => currentWarn(m, d),
  });
  currentWarn = warn;
  return monitor;
}
let currentWarn: (message: string, data: Record<string, unknown>) => void = () => undefined;

let shardQueue: Promise<QueueClient> | undefined;
/**
 * Puts shards on QUEUES.evaluateShard, invisible for RECHECK_SECONDS: a settling cluster is looked at again that much
 * later instead of at the next sweep (base64 JSON, as the Functions host reads queue messages).
 */
export async function scheduleRechecks(shards: readonly ShardMessage[]): Promise<void> {
  if (shards.length === 0) return;
  const q = await (shardQueue ??= (async () => {
    const client = QueueServiceClient.fromConnectionString(storage()).getQueueClient(QUEUES.evaluateShard);
    await client.createIfNotExists();
    return client;
  })().catch((err: unknown) => {
    shardQueue = undefined;
    throw err;
  }));
  await Promise.all(
    shards.map((s) =>
      q.sendMessage(Buffer.from(JSON.stringify(s), 'utf8').toString('base64'), { visibilityTimeout: RECHECK_SECONDS }),
    ),
  );
}

/** What beginMaintenance / endMaintenance work on: the registry row's windows and the silences table. */
export function maintenanceDeps(): MaintenanceDeps {
  return {
    registry: clusterRegistry(),
    silences: pagingStore(),
    config: loadMaintenanceConfig(),
    now: () => new Date(),
  };
}
