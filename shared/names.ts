/**
 * Every name the app gives to a durable function, queue, table, blob container or generated secret: the only
 * spelling of each, shared by registration and callers. Add new names here, never inline.
 */

/** Storage queues (AzureWebJobsStorage). Names: 3–63 lowercase letters, digits and dashes. */
export const QUEUES = {
  /** Shards of the monitoring sweep: each message names up to 50 clusters of one subscription and region. */
  evaluateShard: 'qwk-evaluate',
  /** Incident transitions for the paging pipeline (Monitoring 4/5). */
  incidentTransitions: 'qwk-incident-transitions',
  /** One notification on one route, re-enqueued with a visibility delay for each retry (Monitoring 4/5). */
  notificationDeliveries: 'qwk-notification-deliveries',
  /** Deliveries given up after their attempts (or refused for good): kept for inspection (Monitoring 4/5). */
  notificationDeliveriesPoison: 'qwk-notification-deliveries-poison',
} as const;

/** Storage tables (AzureWebJobsStorage). Names: 3–63 alphanumerics, starting with a letter. */
export const TABLES = {
  /** The cluster registry: one row per watched cluster. */
  clusters: 'clusters',
  /** Latest relay snapshot and per-node QWK freshness, one row per cluster (Monitoring 2/5). */
  qwkSnapshots: 'qwksnapshots',
  /** Per-cluster health state (diagnosis + hysteresis), one row per cluster (Monitoring 3/5). */
  clusterHealth: 'clusterhealth',
  /** Incidents, one row per (cluster, condition, node) key (Monitoring 3/5). */
  incidents: 'incidents',
  /** State changes of each cluster: its timeline (Monitoring 3/5). */
  clusterTimeline: 'clustertimeline',
  /** Azure Monitor alerts received, deduplicated by alertId + condition (Monitoring 3/5). */
  alerts: 'alerts',
  /** Notification idempotency records and delivery log, per (transition, route) (Monitoring 4/5). */
  notifications: 'notifications',
  /** Maintenance silences (Monitoring 4/5). */
  silences: 'silences',
} as const;

/** Blob containers (AzureWebJobsStorage). */
export const CONTAINERS = {
  /** Health reports: reports/<yyyy-mm-dd>/… (Monitoring 5/5). */
  reports: 'reports',
} as const;

/** Key Vault secret names generated per cluster; `{cluster}` is a per-cluster stem (see the function). */
export const GENERATED_SECRETS = {
  /** The QWK relay's HMAC-SHA256 key for one cluster (Monitoring 2/5). */
  relayHmacKey: (clusterStem: string) => `${clusterStem}-qwk-relay-key`,
} as const;
