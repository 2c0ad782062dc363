/** The monitoring services on the app's storage account and Azure clients (process-wide, built on first use). */
import { azureClients } from '../azure/clients';
import { appConfig, ConfigError, monitoringConfig, SETTINGS } from '../config';
import { clusterRegistry } from '../registry/clusterRegistry';
import { AlertStore } from './alertStore';
import { ClusterMonitor, sdkSignalReaders } from './clusterMonitor';
import { IncidentStore } from './incidentStore';
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
