/**
 * What the Run Command script builders need, and nothing more. Plan-time values come from the cluster spec
 * (see scriptParamsFromSpec); per-VM facts that only ARM knows after deployment (the NICs' MAC addresses) are
 * passed to the builders that need them. Secrets are never here: a script that needs one reads it at run time from
 * the environment variable named in SECRET_PARAMETERS, which the activity passes as a Run Command parameter.
 */

export interface ClusterNodeParams {
  /** VM name = host name = LifeKeeper system name, e.g. "Clstr-nodeA". */
  name: string;
  /** Service network (subnet1) IP, e.g. 10.5.1.11. */
  serviceIp: string;
  /** Replication network (subnet2) IP, e.g. 10.5.2.11. */
  replicationIp: string;
  /** LifeKeeper priority: 1 = primary (template), higher = standby (the guide uses 10). */
  priority: number;
}

export interface WitnessParams {
  name: string;
  serviceIp: string;
}

export type PostgresAuthMethod = 'scram-sha-256' | 'trust';

export interface ScriptParams {
  /** The two cluster nodes; the one with the lowest priority number is the primary. */
  nodes: ClusterNodeParams[];
  witness: WitnessParams;
  /** The VMs' admin user (the guide's lkadmin): gets the SSH key too; the ISO lands in its home. */
  adminUsername: string;
  loadBalancer: {
    /** ILB frontend IP = LifeKeeper IP resource (10.5.1.100). */
    frontendIp: string;
    /** Service port behind the ILB (5432). */
    port: number;
    /** ILB probe port = LB Health Check reply daemon port (12345). */
    probePort: number;
  };
  qwk: {
    /** Exported directory on the witness (/root/qwkshare). */
    sharePath: string;
    /** NFS mount point on the nodes (/mnt/qwkmnt). */
    mountPoint: string;
    /** QWK_STORAGE_HBEATTIME (6). */
    hbeatTime: number;
    /** QWK_STORAGE_NUMHBEATS (4). */
    numHbeats: number;
    /** QUORUM_LOSS_ACTION; the guide leaves LifeKeeper's default (fastkill), which is then not written. */
    quorumLossAction: string;
    /** NFS mount options of the fstab line (soft,timeo=20,retrans=1,noac). */
    mountOptions: string;
    /** Export options of the /etc/exports lines (rw,no_root_squash,sync,no_wdelay). */
    exportOptions: string;
  };
  postgres: {
    /** Data directory on the replicated disk (/data/pgsql/data). */
    dataDir: string;
    port: number;
    /** CIDR allowed in pg_hba.conf (10.5.0.0/16). */
    allowedCidr: string;
    /** scram-sha-256 (default; password from a secret parameter) or the guide's trust, only if the spec asks. */
    authMethod: PostgresAuthMethod;
  };
  dataKeeper: {
    /** Mount point of the mirrored file system (/data). */
    mountPoint: string;
    /** File system of the mirror (xfs). */
    fs: string;
    /** Data Replication resource tag (datarep-data). */
    tag: string;
    mode: 'synchronous' | 'asynchronous';
    /** LUN of the data disk on both nodes (0): the device is found through Azure's udev links. */
    dataDiskLun: number;
  };
  lifeKeeper: {
    /** Where the installer image (sps.img) is: an https blob URL (fetched with the VM's managed identity, or with
     *  the SAS token of the secret parameter QWK_LK_INSTALLER_SAS), another https URL, or a path on the VM.
     *  Undefined: LifeKeeper must already be installed (a custom image). */
    installerLocation?: string;
    /** Arguments for the image's ./setup; "{responseFile}" is replaced by the response file's path. */
    setupArgs: string[];
    /** Content of the setup response file (see DEFAULT_LK_RESPONSE_FILE). */
    responseFile: string;
    /** Seconds to wait for LifeKeeper to be ready after lkstart. */
    startTimeoutSec: number;
  };
  packages: {
    source: 'rhui' | 'iso';
    /** RHEL DVD ISO location (same forms as installerLocation; SAS token via QWK_ISO_SAS). Needed for iso. */
    isoLocation?: string;
  };
  /** Monitoring (spec `monitoring`); absent: the defaults. */
  monitoring?: {
    /** How often the QWK relay on the witness posts the share's objects (seconds; default 5). */
    relayIntervalSeconds: number;
  };
  firewall: {
    /** false (guide): firewalld disabled. true: firewalld kept running with the needed ports opened. */
    keepFirewalld: boolean;
  };
}

/** One NIC of a VM as ARM reports it after deployment, in the order of the VM's NIC list (primary first). */
export interface NicFact {
  /** Interface name inside the guest: eth0 for the primary NIC, eth1 for the second. */
  device: string;
  /** MAC address in ARM's form (00-0D-3A-CC-FB-DA) or the guest's (00:0d:3a:cc:fb:da). */
  macAddress: string;
}

/** Environment variables (Run Command parameters) through which scripts receive secrets at run time. */
export const SECRET_PARAMETERS = {
  /** Cluster SSH public key (OpenSSH one-line format). */
  sshPublicKey: 'QWK_SSH_PUBLIC_KEY',
  /** Cluster SSH private key (PEM/OpenSSH), installed on the witness only. */
  sshPrivateKey: 'QWK_SSH_PRIVATE_KEY',
  /** LifeKeeper license key file content. */
  lifeKeeperLicense: 'QWK_LK_LICENSE',
  /** Optional SAS token (query string) for installerLocation (spec: lifeKeeper.installerSasSecretName). */
  lifeKeeperInstallerSas: 'QWK_LK_INSTALLER_SAS',
  /** Optional SAS token (query string) for packages.isoLocation. */
  isoSas: 'QWK_ISO_SAS',
  /** Password of the PostgreSQL superuser (postgres) for scram-sha-256. */
  postgresPassword: 'QWK_PG_PASSWORD',
  /** The cluster's QWK relay HMAC key (generated into Key Vault), stored root-only on the witness. */
  relayKey: 'QWK_RELAY_KEY',
} as const;

export type SecretParameterName = (typeof SECRET_PARAMETERS)[keyof typeof SECRET_PARAMETERS];

/** A secret the script reads from its environment; optional ones may be absent (empty). */
export interface SecretRequirement {
  name: SecretParameterName;
  required: boolean;
}

/** The cluster's primary node (lowest priority number) and its standby. */
export function primaryAndStandby(p: ScriptParams): { primary: ClusterNodeParams; standby: ClusterNodeParams } {
  if (p.nodes.length !== 2) throw new Error(`expected exactly 2 cluster nodes, got ${p.nodes.length}`);
  const [a, b] = p.nodes as [ClusterNodeParams, ClusterNodeParams];
  return a.priority <= b.priority ? { primary: a, standby: b } : { primary: b, standby: a };
}

export function findNode(p: ScriptParams, name: string): ClusterNodeParams {
  const node = p.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`unknown cluster node '${name}' (nodes: ${p.nodes.map((n) => n.name).join(', ')})`);
  return node;
}

export function peerOf(p: ScriptParams, name: string): ClusterNodeParams {
  findNode(p, name);
  const peer = p.nodes.find((n) => n.name !== name);
  if (!peer) throw new Error(`node '${name}' has no peer`);
  return peer;
}

/** The guide's naming of a node's QWK object: '-' and '.' become '_' (Clstr-nodeA → Clstr_nodeA). */
export function qwkObjectName(nodeName: string): string {
  return nodeName.replace(/[-.]/g, '_');
}

/** The /etc/default/LifeKeeper key naming a node's QWK object (QWK_STORAGE_OBJECT_Clstr_nodeA). */
export function qwkObjectKey(nodeName: string): string {
  return `QWK_STORAGE_OBJECT_${qwkObjectName(nodeName)}`;
}

/** ARM's 00-0D-3A-CC-FB-DA → the guest's 00:0d:3a:cc:fb:da. */
export function normalizeMac(mac: string): string {
  const hex = mac.replace(/[-:.]/g, '').toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(hex)) throw new Error(`invalid MAC address '${mac}'`);
  return hex.match(/../g)!.join(':');
}

/** The LifeKeeper tags the guide uses, derived from the parameters. */
export function lifeKeeperTags(p: ScriptParams): {
  pgsql: string;
  lbhc: string;
  ip: string;
  datarep: string;
  fs: string;
} {
  const tags = {
    pgsql: `pgsql-${p.postgres.port}`,
    lbhc: `lbhc-${p.loadBalancer.probePort}`,
    ip: `ip-${p.loadBalancer.frontendIp}`,
    datarep: p.dataKeeper.tag,
    fs: p.dataKeeper.mountPoint,
  };
  for (const tag of Object.values(tags)) {
    if (!/^[A-Za-z0-9._/-]+$/.test(tag)) throw new Error(`invalid LifeKeeper tag '${tag}'`);
  }
  return tags;
}
