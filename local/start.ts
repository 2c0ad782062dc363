/**
 * `npm start`: Azurite + the Azure simulator + the local Functions host running this app, all on loopback,
 * until Ctrl-C. Writes local.settings.json (with a fresh function key and master key) on first run; prints the URLs,
 * the keys and ready-to-paste curl commands. State (Azurite's data, the simulator's resources, secrets and VMs) is
 * kept in .local/azurite and .local/azure-sim (AZURITE_LOCATION / SIM_STATE_DIR override them) and survives a restart.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OPERATOR_SECRETS } from '../shared/names';
import { makeSimClients } from './azure-sim/sdkClients';
import { sandboxMode } from './azure-sim/vm';
import { FUNCTION_KEY_SETTING, MASTER_KEY_SETTING } from './host';
import { LOCAL_SUBSCRIPTION_ID, REPO_ROOT, startStack } from './stack';

/** The Key Vault secret holding the function key the deployment puts into its action groups' webhook. */
const ALERTS_KEY_SECRET = 'qwk-alerts-function-key';
/** lifeKeeper.licenseSecretName's default. */
const LICENSE_SECRET = OPERATOR_SECRETS.lifeKeeperLicense;

/** Default routes under npm start: the simulator's PagerDuty, Teams and webhook stand-ins. */
const exampleRoutes = (simPort: number) => [
  { kind: 'pagerduty', name: 'pagerduty', routingKeySecretName: 'pagerduty-routing-key', minSeverity: 'warning' },
  { kind: 'teams', name: 'teams', webhookUrlSecretName: 'teams-workflow-url', minSeverity: 'warning' },
  {
    kind: 'webhook',
    name: 'webhook',
    url: `https://127.0.0.1:${simPort}/_pager/webhook/ops`,
    hmacSecretName: 'webhook-hmac-key',
  },
];

const SETTINGS_FILE = path.join(REPO_ROOT, 'local.settings.json');
const EXAMPLE_FILE = path.join(REPO_ROOT, 'local.settings.json.example');

interface LocalSettings {
  IsEncrypted?: boolean;
  Values: Record<string, string>;
}

/** Reads local.settings.json, creating it from the example with new keys when missing or keyless. */
export function ensureLocalSettings(): { settings: LocalSettings; created: boolean } {
  const created = !existsSync(SETTINGS_FILE);
  const settings = JSON.parse(readFileSync(created ? EXAMPLE_FILE : SETTINGS_FILE, 'utf8')) as LocalSettings;
  settings.Values ??= {};
  const missing = [FUNCTION_KEY_SETTING, MASTER_KEY_SETTING].filter((name) => !settings.Values[name]);
  for (const name of missing) settings.Values[name] = randomBytes(24).toString('base64url');
  if (missing.length > 0) writeFileSync(SETTINGS_FILE, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return { settings, created };
}

function port(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v >= 0 ? v : fallback;
}

async function main(): Promise<void> {
  const { settings, created } = ensureLocalSettings();
  const key = settings.Values[FUNCTION_KEY_SETTING];
  const masterKey = settings.Values[MASTER_KEY_SETTING];
  const timeScale = Number(process.env.SIM_TIME_SCALE) > 0 ? Number(process.env.SIM_TIME_SCALE) : 0.1;
  console.log(`qwk-ops: starting Azurite, the Azure simulator (time scale ${timeScale}) and the local Functions host…`);
  const mode = sandboxMode();
  if (mode.kind === 'userns')
    console.log(
      `  not root: the simulated VMs run in unprivileged user namespaces${mode.subIds ? '' : ' (no subordinate ids in /etc/subuid for this user: only root exists inside a VM, so a script that gives files to another user fails)'}.`,
    );
  if (mode.kind === 'unavailable')
    console.warn(
      `  WARNING: the simulated VMs cannot run: ${mode.reason}\n  Starting everything else: ARM, Key Vault and Monitor answer, but the VMs have no sandbox and Run Command runs nothing (empty output), so only "configure": false deployments are meaningful.`,
    );
  const stack = await startStack({
    azuriteLocation: process.env.AZURITE_LOCATION ?? path.join(REPO_ROOT, '.local', 'azurite'),
    azurite: {
      blobPort: port('AZURITE_BLOB_PORT', 10000),
      queuePort: port('AZURITE_QUEUE_PORT', 10001),
      tablePort: port('AZURITE_TABLE_PORT', 10002),
    },
    sim: {
      port: port('SIM_PORT', 8443),
      timeScale,
      stateDir: process.env.SIM_STATE_DIR ?? path.join(REPO_ROOT, '.local', 'azure-sim'),
      // ARM resources and Key Vault secrets survive a restart, as Azurite's data and the VMs' sandboxes do
      persist: true,
      withVmRuntime: mode.kind !== 'unavailable',
    },
    host: { port: port('FUNCTIONS_PORT', 7071), functionKey: key, masterKey, console: true },
    // What an operator stores in the real Key Vault before deploying; the simulator's LifeKeeper accepts any text.
    // The alert route's function key too: deployments then create the cluster's Azure Monitor alerts, whose action
    // group calls POST /api/alerts?code=<it> (docs/MONITORING.md).
    seedSecrets: {
      [LICENSE_SECRET]: 'SIMULATED LifeKeeper license: the local Azure simulator accepts any key',
      [ALERTS_KEY_SECRET]: key,
    },
    // Paging: app-wide default routes to the simulator's stand-ins, each page printed here too.
    settings: {
      QWK_PAGING_DEFAULT_ROUTES: JSON.stringify(exampleRoutes(port('SIM_PORT', 8443))),
      QWK_PAGING_CONSOLE: 'true',
      QWK_ALERTS_FUNCTION_KEY_SECRET: ALERTS_KEY_SECRET,
    },
  });
  // The routes' example secrets (the Teams Workflows URL is the credential, so it lives in Key Vault).
  const vault = makeSimClients(stack.sim).secrets;
  await vault.setSecret('pagerduty-routing-key', 'local-example-routing-key');
  await vault.setSecret('teams-workflow-url', `${stack.sim.url}/_pager/teams/ops`);
  await vault.setSecret('webhook-hmac-key', randomBytes(32).toString('base64url'));
  const base = stack.host!.baseUrl;
  // The simulator's VMs download any *.blob.core.windows.net/*.img as a simulated LifeKeeper installer image.
  const spec = JSON.stringify({
    witness: { sshSourceCidr: '203.0.113.0/24' },
    lifeKeeper: { installerLocation: 'https://mystorage.blob.core.windows.net/media/sps.img' },
  });
  const infraSpec = JSON.stringify({
    witness: { sshSourceCidr: '203.0.113.0/24' },
    configure: false,
    resourceGroup: 'LKL-QWK-infra-only',
  });
  const ca = path.relative(process.cwd(), stack.sim.caFile);
  const clusterPath = `${LOCAL_SUBSCRIPTION_ID}/LKL-QWK-storage`;
  const cluster = { sim: `${stack.sim.url}/_sim/clusters/${clusterPath}`, api: `${base}/api/clusters/${clusterPath}` };
  console.log(`
  Functions host   ${base}   (function key ${created ? 'created in' : 'from'} local.settings.json)
  Azure simulator  ${stack.sim.url}   (CA ${path.relative(process.cwd(), stack.sim.caFile)})
  Azurite          blob ${stack.azurite.blobPort}, queue ${stack.azurite.queuePort}, table ${stack.azurite.tablePort}   (data in .local/azurite)

  Deploy the guide's cluster — Azure resources, then every node configured by Run Command (every value defaults to
  the guide's; SSH to the witness only from 203.0.113.0/24; the license '${LICENSE_SECRET}' is already in the
  simulator's Key Vault):
    curl -sS -X POST '${base}/api/deployments' -H 'x-functions-key: ${key}' -H 'content-type: application/json' -d '${spec}'
  Or only the Azure infrastructure (the guide's section 4):
    curl -sS -X POST '${base}/api/deployments' -H 'x-functions-key: ${key}' -H 'content-type: application/json' -d '${infraSpec}'
  Then follow it (the id is in the answer):
    curl -sS '${base}/api/deployments/<id>' -H 'x-functions-key: ${key}'
    curl -sS '${base}/api/deployments' -H 'x-functions-key: ${key}'
  A deployment's durable instance (history included), through the Durable management API and the master key:
    curl -sS '${base}/runtime/webhooks/durabletask/instances/<id>?showHistory=true' -H 'x-functions-key: ${masterKey}'

  Break it the way the guide's §9.3 does (nodeA's eth1 and eth0 down), then watch qwk-ops notice (≈ 30 s):
    curl -sS --cacert ${ca} -X POST '${cluster.sim}/faults' -H 'content-type: application/json' -d '{"kind":"isolateNode","vm":"Clstr-nodeA"}'
    curl -sS '${cluster.api}' -H 'x-functions-key: ${key}'
    curl -sS --cacert ${ca} -X DELETE '${cluster.sim}/faults'      # heal it; the incidents resolve

  Pages (default routes: the simulator's PagerDuty, Teams and webhook stand-ins; each also printed here as [page]):
    curl -sS -X POST '${base}/api/clusters/<subscription>/<resource group>/test-page' -H 'x-functions-key: ${key}'
    curl -sS --cacert ${path.relative(process.cwd(), stack.sim.caFile)} '${stack.sim.url}/_sim/pager/events'

  Ctrl-C stops everything.
`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping…`);
    stack.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      console.error(
        `A port is already in use (${e.message}). Stop the other process, or set FUNCTIONS_PORT / SIM_PORT / AZURITE_*_PORT.`,
      );
    else console.error(err);
    process.exit(1);
  });
}
