/**
 * Every name the app gives to a durable function, queue, table, blob container or generated secret: the only
 * spelling of each, shared by registration and callers. Add new names here, never inline.
 */

/** Orchestrations (registered in orchestrations/). */
export const ORCHESTRATIONS = {
  /** One deployment: infrastructure, then configuration and registration. Its instances are the deployments. */
  deployCluster: 'deployCluster',
  /** One VM's configuration steps in order (a sub-orchestration of deployCluster). */
  configureNode: 'configureNode',
  /**
   * Tear-down of one cluster (DELETE /api/clusters/…): deregisters it, and with deleteResources also deletes its
   * resource group and generated secrets. Its instances are reported like deployments (GET /api/deployments/{id}).
   */
  teardownCluster: 'teardownCluster',
  /**
   * A failover drill (POST /api/clusters/{sub}/{rg}/drills): the guide's §9.3 switchover as an operation, under
   * maintenance and a silence. Its instances are the drills (GET …/drills/{id}).
   */
  failoverDrill: 'failoverDrill',
} as const;

/** Activities (registered in orchestrations/activities/). */
export const ACTIVITIES = {
  ensureAdminCredential: 'ensureAdminCredential',
  provisionResource: 'provisionResource',
  verifyDeployment: 'verifyDeployment',
  readVmFacts: 'readVmFacts',
  /** Consecutive configuration steps of one VM in one Run Command, each with its marker and result line. */
  runConfigBatch: 'runConfigBatch',
  /** Whether the cluster is in the registry (its first deployment completed): verify.switchover 'first'. */
  readClusterRegistration: 'readClusterRegistration',
  /** One ARM restart of a VM; returns once ARM accepted it (the orchestrator waits with probeVm). */
  restartVm: 'restartVm',
  /** Whether a VM runs and answers a Run Command (one look, no waiting). */
  probeVm: 'probeVm',
  registerCluster: 'registerCluster',
  /** Deletes the cluster's registry row and its QWK snapshot row (idempotent). */
  deregisterCluster: 'deregisterCluster',
  /** Starts ARM's deletion of a resource group (returns once ARM accepted it; teardownCluster waits). */
  deleteResourceGroup: 'deleteResourceGroup',
  /** Whether a resource group still exists, and its provisioningState (one look, no waiting). */
  probeResourceGroup: 'probeResourceGroup',
  /** Deletes (Key Vault soft delete) the cluster's generated secrets by name; never reads a value. */
  deleteClusterSecrets: 'deleteClusterSecrets',
  /**
   * PUTs the cluster's Azure-native alerts (action group → POST /api/alerts, metric and Resource Health alert rules);
   * resolves the alert route's function key from Key Vault itself (it never travels through history).
   */
  ensureAlertRules: 'ensureAlertRules',
  /**
   * Puts a cluster into maintenance for a deployment or drill: a window on its registry row (conditions open no
   * incident) and a silence (pages suppressed), both bounded by an `until` safety net. Idempotent.
   */
  beginMaintenance: 'beginMaintenance',
  /** Ends what beginMaintenance started for the same operation (the window after a short settle; the silence). */
  endMaintenance: 'endMaintenance',
} as const;

/** Instance id prefixes of orchestrations started by the app. */
export const INSTANCE_ID_PREFIXES = {
  /** deployCluster instances: dpl-<uuid>; the instance id is the deployment id. */
  deployment: 'dpl-',
  /** teardownCluster instances: tdn-<uuid>; reported at GET /api/deployments/{id} like a deployment. */
  teardown: 'tdn-',
  /** failoverDrill instances: drl-<uuid>; reported at GET /api/clusters/{sub}/{rg}/drills/{id}. */
  drill: 'drl-',
} as const;

/** Step names in a deployment's status (the infrastructure's own steps are the plan's resource keys). */
export const STEPS = {
  /** Admin credential into Key Vault; every VM waits for it. */
  credentials: 'credentials',
  /** Reads back every resource once all exist. */
  verify: 'verify',
  /** Preparation (VM facts from ARM, cluster secrets in Key Vault) before the configuration's first stage. */
  prepare: 'configure:cluster:prepare',
  /** A configuration step on one VM. */
  configure: (vm: string, id: string) => `configure:${vm}:${id}`,
  /** The cluster registry row, after the configuration's last stage. */
  register: 'register',
  /** The cluster's Azure Monitor alert rules and action group, after registration (skipped when not configured). */
  alerts: 'alerts',
  /** Tear-down: the registry and snapshot rows removed. */
  deregister: 'deregister',
  /** Tear-down: the resource group deleted (ARM begin, then durable-timer polls until it is gone). */
  deleteResourceGroup: 'delete:resourceGroup',
  /** Tear-down: the generated Key Vault secrets deleted. */
  deleteSecrets: 'delete:secrets',
  /** Drill: the hierarchy switched over to a node (the standby, then back to the primary). */
  drillSwitchover: (node: string) => `switchover:${node}`,
} as const;

/** The id of the silence a deployment or drill puts on its own cluster (one per operation, so it can be lifted). */
export const MAINTENANCE_SILENCE_ID = (operationId: string) => `maintenance-${operationId}`;

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
  /** One row per (subscription, resource group): its latest deployment (one running deployment per target). */
  deployments: 'qwkdeployments',
  /** Latest relay snapshot and per-node QWK freshness, one row per cluster (Monitoring 2/5). */
  qwkSnapshots: 'qwksnapshots',
  /** Per-cluster health state (diagnosis + hysteresis), one row per cluster (Monitoring 3/5). */
  clusterHealth: 'clusterhealth',
  /** Incidents, one row per (cluster, condition, node) key (Monitoring 3/5). */
  incidents: 'incidents',
  /** State changes of each cluster: its timeline (Monitoring 3/5). */
  clusterTimeline: 'clustertimeline',
  /**
   * What the health reports need besides (Monitoring 5/5): per-minute probe counts, probe changes, QWK and relay gaps,
   * maintenance windows; partition = the cluster, as the timeline's.
   */
  clusterHistory: 'clusterhistory',
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
  /** The VMs' admin credential when the spec names none (stem: the resource group as a secret name fragment). */
  adminCredentials: (clusterStem: string, kind: 'sshKey' | 'password') =>
    `${clusterStem}-${kind === 'sshKey' ? 'admin-ssh-key' : 'admin-password'}`,
  /** PostgreSQL's password (scram-sha-256) when the spec names none. */
  postgresPassword: (clusterStem: string) => `${clusterStem}-postgres-password`,
  /** The public half of an SSH key pair, kept beside its private key `secretName`. */
  publicKey: (secretName: string) => `${secretName}-pub`,
  /** The cluster's own SSH key pair (witness → nodes) when the admin credential is a password. */
  clusterSshKey: (adminSecretName: string) => `${adminSecretName}-cluster-ssh-key`,
  /** The QWK relay's HMAC-SHA256 key for one cluster (Monitoring 2/5). */
  relayHmacKey: (clusterStem: string) => `${clusterStem}-qwk-relay-key`,
} as const;

/** Key Vault secrets an operator stores before deploying: their default names (the spec may name others). */
export const OPERATOR_SECRETS = {
  /** The LifeKeeper license key file's contents (lifeKeeper.licenseSecretName). */
  lifeKeeperLicense: 'lifekeeper-license',
} as const;
