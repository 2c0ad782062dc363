/**
 * The cluster spec's zod schema (design brief §4.2): every field optional, defaults = the seed guide's values,
 * unknown fields refused. Field-local rules (formats, ranges, Azure name rules) live here; rules that relate
 * several fields live in cross-checks.ts and run on the whole spec.
 */
import { int } from './zodInt';
import { monitoringPagingFields } from '../paging/routes';
import { ALERT_RULE_DEFAULTS } from '../monitoring/azureAlertRules';
import { z } from 'zod';
import { GENERATED_SECRETS } from '../names';
import { type AzureNameKind, nameProblem, toSecretNameFragment } from './azureNames';
import { isKnownRegion } from './azureRegions';
import { crossCheckSpec } from './crossChecks';
import { addressOrCidrProblem, ipv4CidrProblem, ipv4Problem } from './ip';
import { MANAGED_BY_TAG, SEED } from './seedDefaults';

/** A string checked by `problem`, which returns what is wrong in words, or null. */
function checkedString(problem: (value: string) => string | null) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });
}

const azureName = (kind: AzureNameKind) => checkedString((v) => nameProblem(kind, v));
const ipv4 = checkedString(ipv4Problem);
const ipv4Cidr = checkedString(ipv4CidrProblem);

const port = int(1, 65535);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const subscriptionId = z
  .string({
    error: (iss) =>
      iss.input === undefined
        ? 'required: the Azure subscription to deploy into (a GUID); give subscriptionId in the spec or set the ' +
          "app's default subscription"
        : undefined,
  })
  .superRefine((v, ctx) => {
    if (!GUID.test(v)) ctx.addIssue({ code: 'custom', message: `expected a subscription id (a GUID), got "${v}"` });
  });

/** Absolute Linux path made of characters that are safe in fstab, /etc/exports and shell scripts. */
const linuxPath = checkedString((v) =>
  /^\/[A-Za-z0-9._@+/-]*$/.test(v) && !v.split('/').includes('..')
    ? null
    : `expected an absolute path of letters, digits and . _ @ + - / (no spaces, no '..'), got "${v}"`,
);

/** A comma-separated mount/export option list such as soft,timeo=20. */
const optionList = checkedString((v) =>
  /^[A-Za-z0-9_.=-]+(,[A-Za-z0-9_.=-]+)*$/.test(v)
    ? null
    : `expected comma-separated options such as soft,timeo=20 (letters, digits, _ . = -), got "${v}"`,
);

/** An https URL or an absolute path (where the VMs fetch a file from). */
const fetchLocation = checkedString((v) =>
  /^https:\/\/[^\s"'`$\\]+$/.test(v) || /^\/[A-Za-z0-9._@+/-]+$/.test(v)
    ? null
    : `expected an https:// URL or an absolute path without spaces or quotes, got "${v}"`,
);

const simpleToken = (what: string, example: string) =>
  checkedString((v) =>
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v)
      ? null
      : `expected ${what} (non-empty; letters, digits, '.', '_', '-'), such as ${example}; got "${v}"`,
  );

const region = checkedString((v) =>
  isKnownRegion(v)
    ? null
    : `expected an Azure public-cloud region name in lower case without spaces (e.g. japaneast, eastus2), got "${v}"`,
);

const secretName = azureName('keyVaultSecret');

const diskType = z.enum(['Standard_LRS', 'StandardSSD_LRS', 'Premium_LRS', 'StandardSSD_ZRS', 'Premium_ZRS']);

/** Azure's disallowed admin user names (OSProfile.adminUsername). */
const DISALLOWED_ADMIN_NAMES = [
  'administrator',
  'admin',
  'user',
  'user1',
  'test',
  'user2',
  'test1',
  'user3',
  'admin1',
  '1',
  '123',
  'a',
  'actuser',
  'adm',
  'admin2',
  'aspnet',
  'backup',
  'console',
  'david',
  'guest',
  'john',
  'owner',
  'root',
  'server',
  'sql',
  'support',
  'support_388945a0',
  'sys',
  'test2',
  'test3',
  'user4',
  'user5',
];
const adminUsername = checkedString((v) => {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(v)) {
    return `expected a Linux user name of 1–32 characters: lower-case letters, digits, '_' and '-', not starting with a digit or '-'; got "${v}"`;
  }
  return DISALLOWED_ADMIN_NAMES.includes(v) ? `"${v}" is a user name Azure does not allow for the admin account` : null;
});

const subnetSchema = (seed: { name: string; addressPrefix: string }) =>
  z.strictObject({
    name: azureName('subnet').default(seed.name),
    addressPrefix: ipv4Cidr.default(seed.addressPrefix),
  });

const networkSchema = z.strictObject({
  vnetName: azureName('virtualNetwork').default(SEED.network.vnetName),
  addressSpace: ipv4Cidr.default(SEED.network.addressSpace),
  subnets: z
    .strictObject({
      service: subnetSchema(SEED.network.service).prefault({}),
      replication: subnetSchema(SEED.network.replication).prefault({}),
    })
    .prefault({}),
  privateNsgName: azureName('networkSecurityGroup').default(SEED.network.privateNsgName),
});

const availabilitySetSchema = z.strictObject({
  name: azureName('availabilitySet').default(SEED.availabilitySet.name),
  faultDomains: int(1, 3).default(SEED.availabilitySet.faultDomains),
  updateDomains: int(1, 20).default(SEED.availabilitySet.updateDomains),
});

/** NIC names default from the VM name: `<vm>-nic` (service) and `<vm>-Vnet` (replication, the guide's name). */
function withNicNames<T extends { name: string; serviceNicName?: string; replicationNicName?: string }>(vm: T) {
  return {
    ...vm,
    serviceNicName: vm.serviceNicName ?? `${vm.name}-nic`,
    replicationNicName: vm.replicationNicName ?? `${vm.name}-Vnet`,
  };
}

const nodeSchema = z.strictObject({
  name: azureName('virtualMachine').optional(),
  serviceIp: ipv4.optional(),
  replicationIp: ipv4.optional(),
  /** LifeKeeper priority: 1 is the primary (where the hierarchy is created). */
  priority: int(1, 999).optional(),
  serviceNicName: azureName('networkInterface').optional(),
  replicationNicName: azureName('networkInterface').optional(),
});

const nodesSchema = z
  .array(nodeSchema)
  .length(SEED.nodes.length, {
    error: (iss) =>
      `expected exactly 2 cluster nodes (the guide's topology: two LifeKeeper nodes plus the witness VM), got ${
        Array.isArray(iss.input) ? iss.input.length : 'something else'
      }`,
  })
  .prefault([{}, {}])
  // element i defaults to the guide's node i, field by field
  .transform((nodes) => nodes.map((node, i) => withNicNames({ ...seedNode(i), ...stripUndefined(node) })));

/** The guide's node i (the transform runs only once the length check passed). */
function seedNode(i: number) {
  const seed = SEED.nodes[i];
  if (!seed) throw new Error(`the seed has no node ${i}`);
  return seed;
}

const witnessSchema = z
  .strictObject({
    name: azureName('virtualMachine').default(SEED.witness.name),
    serviceIp: ipv4.default(SEED.witness.serviceIp),
    replicationIp: ipv4.default(SEED.witness.replicationIp),
    /** a public IP for SSH (the witness is the bastion); SSH is then allowed from sshSourceCidr only */
    publicIp: z.boolean().default(true),
    sshSourceCidr: checkedString(addressOrCidrProblem).optional(),
    allowSshFromInternet: z.boolean().default(false),
    publicIpName: azureName('publicIPAddress').optional(),
    nsgName: azureName('networkSecurityGroup').optional(),
    serviceNicName: azureName('networkInterface').optional(),
    replicationNicName: azureName('networkInterface').optional(),
  })
  .prefault({})
  .transform((w) =>
    withNicNames({ ...w, publicIpName: w.publicIpName ?? `${w.name}-ip`, nsgName: w.nsgName ?? `${w.name}-nsg` }),
  );

const authSchema = z.discriminatedUnion(
  'kind',
  [z.strictObject({ kind: z.literal('sshKey') }), z.strictObject({ kind: z.literal('password') })],
  {
    error: (iss) =>
      iss.code === 'invalid_union'
        ? `expected {"kind": "sshKey"} (default) or {"kind": "password"}, got ${JSON.stringify(iss.input)}`
        : undefined,
  },
);

const vmSchema = z.strictObject({
  size: simpleToken('an Azure VM size', 'Standard_B2s').default(SEED.vm.size),
  image: z
    .strictObject({
      publisher: simpleToken('an image publisher', 'RedHat').default(SEED.vm.image.publisher),
      offer: simpleToken('an image offer', 'RHEL').default(SEED.vm.image.offer),
      sku: simpleToken('an image SKU', '9-lvm-gen2').default(SEED.vm.image.sku),
      version: simpleToken("an image version or 'latest'", '9.2.2023060509').default(SEED.vm.image.version),
    })
    .prefault({}),
  osDiskType: diskType.default(SEED.vm.osDiskType),
  dataDiskGiB: int(4, 32767).default(SEED.vm.dataDiskGiB),
  dataDiskType: diskType.default(SEED.vm.dataDiskType),
  adminUsername: adminUsername.default(SEED.vm.adminUsername),
  auth: authSchema.default({ kind: 'sshKey' }),
  /** B-series sizes do not support accelerated networking */
  acceleratedNetworking: z.boolean().default(false),
});

const loadBalancerSchema = z.strictObject({
  name: azureName('loadBalancer').default(SEED.loadBalancer.name),
  frontendName: azureName('loadBalancerChild').default(SEED.loadBalancer.frontendName),
  frontendIp: ipv4.default(SEED.loadBalancer.frontendIp),
  /** zones of the frontend; default: zone-redundant ['1','2','3'] where the region has zones */
  frontendZones: z.array(z.enum(['1', '2', '3'])).optional(),
  backendPoolName: azureName('loadBalancerChild').default(SEED.loadBalancer.backendPoolName),
  ruleName: azureName('loadBalancerChild').default(SEED.loadBalancer.ruleName),
  /** the service port: frontend port = backend port (PostgreSQL) */
  port: port.default(SEED.loadBalancer.port),
  probe: z
    .strictObject({
      name: azureName('loadBalancerChild').default(SEED.loadBalancer.probe.name),
      port: port.default(SEED.loadBalancer.probe.port),
      intervalInSeconds: int(5, 2147483646).default(SEED.loadBalancer.probe.intervalInSeconds),
      numberOfProbes: int(1, 100).default(SEED.loadBalancer.probe.numberOfProbes),
      threshold: int(1, 100).default(SEED.loadBalancer.probe.threshold),
    })
    .prefault({}),
  floatingIp: z.boolean().default(SEED.loadBalancer.floatingIp),
  idleTimeoutInMinutes: int(4, 30).default(SEED.loadBalancer.idleTimeoutInMinutes),
});

const qwkSchema = z.strictObject({
  sharePath: linuxPath.default(SEED.qwk.sharePath),
  mountPoint: linuxPath.default(SEED.qwk.mountPoint),
  hbeatTime: int(5, 10).default(SEED.qwk.hbeatTime),
  numHbeats: int(3, 1000).default(SEED.qwk.numHbeats),
  quorumLossAction: z.enum(['fastkill', 'fastboot', 'osu']).default(SEED.qwk.quorumLossAction),
  mountOptions: optionList.default(SEED.qwk.mountOptions),
  exportOptions: optionList.default(SEED.qwk.exportOptions),
});

const postgresSchema = z.strictObject({
  dataDir: linuxPath.default(SEED.postgres.dataDir),
  port: port.default(SEED.postgres.port),
  allowedCidr: ipv4Cidr.default(SEED.postgres.allowedCidr),
  /** scram-sha-256 with a generated password in Key Vault; the guide's `trust` only when asked for explicitly */
  authMethod: z.enum(['scram-sha-256', 'trust']).default('scram-sha-256'),
});

const dataKeeperSchema = z.strictObject({
  mountPoint: linuxPath.default(SEED.dataKeeper.mountPoint),
  fs: z.enum(['xfs', 'ext4']).default(SEED.dataKeeper.fs),
  tag: simpleToken('a LifeKeeper resource tag', 'datarep-data').default(SEED.dataKeeper.tag),
  mode: z.enum(['synchronous', 'asynchronous']).default(SEED.dataKeeper.mode),
});

const installerOption = checkedString((v) =>
  /^[A-Za-z0-9_.,=:/+@-]+$/.test(v)
    ? null
    : `expected one installer command-line word (letters, digits and _ . , = : / + @ -), got "${v}"`,
);

const lifeKeeperSchema = z.strictObject({
  /** where the VMs fetch the LifeKeeper installer image (https URL or a path on the VM); optional */
  installerLocation: fetchLocation.optional(),
  /** Key Vault secret holding a SAS token for installerLocation, when it needs one */
  installerSasSecretName: secretName.optional(),
  licenseSecretName: secretName.default(SEED.lifeKeeper.licenseSecretName),
  /** overrides the unattended installer's options */
  installerOptions: z.array(installerOption).optional(),
});

const outboundSchema = z.strictObject({
  natGateway: z.boolean().default(true),
  natGatewayName: azureName('natGateway').default(SEED.outbound.natGatewayName),
  publicIpName: azureName('publicIPAddress').default(SEED.outbound.publicIpName),
});

const packagesSchema = z.strictObject({
  source: z.enum(['rhui', 'iso']).default('rhui'),
  /** the RHEL DVD ISO (https URL or a path on the VM) when source is 'iso' */
  isoLocation: fetchLocation.optional(),
});

const keyVaultSchema = z.strictObject({
  /** where the generated admin SSH key pair (or password) is stored; default `<resource group>-admin-ssh-key` */
  adminCredentialsSecretName: secretName.optional(),
  /** where the generated PostgreSQL password is stored; default `<resource group>-postgres-password` */
  postgresPasswordSecretName: secretName.optional(),
});

/** A percentage threshold of an availability metric (0–100). */
const percent = (fallback: number) => z.number().min(0).max(100).default(fallback);

/** An e-mail address as an action group's e-mail receiver takes it (one address, no display name). */
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * The cluster's Azure-native alerts (docs/MONITORING.md "What Azure alerting adds"): the deployment creates them
 * after registration. The webhook's URL and key come from app settings, not from here.
 */
const azureAlertsSchema = z
  .strictObject({
    /** false: the deployment creates no Azure alert rules for this cluster */
    enabled: z.boolean().default(true),
    /** an operator's e-mail address, added to the action group besides the qwk-ops webhook */
    operatorEmail: checkedString((v) =>
      v.length <= 254 && EMAIL.test(v) ? null : `expected one e-mail address such as ops@example.com, got "${v}"`,
    ).optional(),
    /** name prefix of the action group and the rules; default `qwk-<resource group>` */
    namePrefix: checkedString((v) =>
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/.test(v)
        ? null
        : `expected 1-60 letters, digits, '.', '_' or '-' starting with a letter or digit, got "${v}"`,
    ).optional(),
    /** DipAvailability average below this: no backend answers the probe (outage) */
    outageBelow: percent(ALERT_RULE_DEFAULTS.outageBelow),
    /** DipAvailability average above this: both backends answer (split-brain); an active/passive pair averages 50 */
    splitBrainAbove: percent(ALERT_RULE_DEFAULTS.splitBrainAbove),
    /** VipAvailability average below this: the frontend's data path is degraded */
    vipBelow: percent(ALERT_RULE_DEFAULTS.vipBelow),
  })
  .superRefine((a, ctx) => {
    if (a.outageBelow >= a.splitBrainAbove)
      ctx.addIssue({
        code: 'custom',
        path: ['outageBelow'],
        message: `must be below splitBrainAbove (${a.splitBrainAbove}), got ${a.outageBelow}: an active/passive pair averages 50`,
      });
  });

const monitoringSchema = z.strictObject({
  /** how often the QWK relay on the witness posts the share's QWK objects to qwk-ops (seconds) */
  relayIntervalSeconds: int(2, 60).default(SEED.monitoring.relayIntervalSeconds),
  ...monitoringPagingFields,
  /** the Azure Monitor alert rules and action group the deployment creates */
  azureAlerts: azureAlertsSchema.prefault({}),
});

const tagsSchema = z.record(z.string(), z.string());

export const clusterSpecObjectSchema = z.strictObject({
  subscriptionId,
  /** false: deploy the Azure infrastructure only (the guide's §4), leave the VMs unconfigured */
  configure: z.boolean().default(true),
  resourceGroup: azureName('resourceGroup').default(SEED.resourceGroup),
  location: region.default(SEED.location),
  /** added to every resource, besides the tag managed-by=qwk-ops (the guide tags everything creator=<name>) */
  tags: tagsSchema.default({}),
  network: networkSchema.prefault({}),
  availabilitySet: availabilitySetSchema.prefault({}),
  nodes: nodesSchema,
  witness: witnessSchema,
  vm: vmSchema.prefault({}),
  loadBalancer: loadBalancerSchema.prefault({}),
  qwk: qwkSchema.prefault({}),
  postgres: postgresSchema.prefault({}),
  dataKeeper: dataKeeperSchema.prefault({}),
  lifeKeeper: lifeKeeperSchema.prefault({}),
  outbound: outboundSchema.prefault({}),
  packages: packagesSchema.prefault({}),
  firewall: z.strictObject({ keepFirewalld: z.boolean().default(false) }).prefault({}),
  keyVault: keyVaultSchema.prefault({}),
  /** monitoring of the deployed cluster: the QWK relay's pace, where its pages go (docs/PAGING.md) */
  monitoring: monitoringSchema.prefault({}),
  /**
   * the verification's switchover (to the standby and back: interrupts the database twice): on the cluster's first
   * successful deployment (`first`), on every deployment (`always`) or never
   */
  verify: z.strictObject({ switchover: z.enum(['first', 'always', 'never']).default('first') }).prefault({}),
});

export const clusterSpecSchema = clusterSpecObjectSchema
  // cross-field rules run even when some fields failed, so that every error is reported at once
  .superRefine(
    (spec, ctx) => crossCheckSpec(spec, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
    {
      when: () => true,
    },
  )
  .transform((spec) => {
    const rg = toSecretNameFragment(spec.resourceGroup);
    return {
      ...spec,
      tags: { ...spec.tags, [MANAGED_BY_TAG.name]: MANAGED_BY_TAG.value },
      keyVault: {
        adminCredentialsSecretName:
          spec.keyVault.adminCredentialsSecretName ?? GENERATED_SECRETS.adminCredentials(rg, spec.vm.auth.kind),
        postgresPasswordSecretName: spec.keyVault.postgresPasswordSecretName ?? GENERATED_SECRETS.postgresPassword(rg),
      },
    };
  });

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The spec as a caller writes it: every field optional. subscriptionId is required unless the caller of
 * parseClusterSpec passes a defaultSubscriptionId; witness.sshSourceCidr is required while witness.publicIp is on.
 */
export type ClusterSpecInput = Omit<z.input<typeof clusterSpecSchema>, 'subscriptionId'> & { subscriptionId?: string };
/** The resolved spec: every default applied, derived names filled in. */
export type ClusterSpec = z.output<typeof clusterSpecSchema>;
export type ClusterNode = ClusterSpec['nodes'][number];
export type WitnessSpec = ClusterSpec['witness'];
