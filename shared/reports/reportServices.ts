/** The report services on the app's storage account, Key Vault and HTTPS (process-wide, built on first use). */
import { azureClients } from '../azure/clients';
import { appConfig, ConfigError, pagingConfig, SETTINGS } from '../config';
import { incidentStore } from '../monitoring/monitoringServices';
import { defaultRoutes } from '../paging/pipeline';
import { sendNotification } from '../paging/send';
import { pagingStore } from '../paging/store';
import { clusterRegistry } from '../registry/clusterRegistry';
import { readSecretIfExists } from '../secrets/credentialStore';
import { ReportStore } from './blobs';
import type { HistorySources } from './historyBuilder';
import type { ReportDeps } from './reportService';

let store: ReportStore | undefined;

export function reportStore(): ReportStore {
  const conn = appConfig().storageConnection;
  if (!conn) throw new ConfigError(`${SETTINGS.storage} is not set`);
  return (store ??= ReportStore.fromConnectionString(conn));
}

export function historySources(): HistorySources {
  const incidents = incidentStore();
  const publicUrl = appConfig().publicUrl;
  return {
    timeline: (s, g, from, to) => incidents.listTimelineUntil(s, g, from, to),
    history: (s, g, from, to) => incidents.listHistory(s, g, from, to),
    transitions: async (s, g) => (await incidents.listTransitions(s, g)).map((t) => t.transition),
    incidents: (s, g) => incidents.listIncidents(s, g),
    notifications: (s, g) => pagingStore().listRecords({ subscriptionId: s, resourceGroup: g }),
    ...(publicUrl !== undefined ? { publicUrl } : {}),
  };
}

/** Everything makeReport needs; `log` receives one line per delivery. */
export function reportDeps(log: (message: string) => void): ReportDeps {
  const publicUrl = appConfig().publicUrl;
  return {
    registry: clusterRegistry(),
    sources: historySources(),
    store: reportStore(),
    ...(publicUrl !== undefined ? { publicUrl } : {}),
    now: () => new Date(),
    delivery: {
      defaultRoutes: () => defaultRoutes(pagingConfig()),
      secret: (name) => readSecretIfExists(azureClients().secrets(), name),
      send: (req) => sendNotification(req, { caPem: appConfig().caPem }),
      records: pagingStore(),
      log,
    },
  };
}
