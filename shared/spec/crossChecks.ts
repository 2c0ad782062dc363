/**
 * Rules that relate several fields of the cluster spec. They run on the whole spec even when some fields failed
 * to parse (so every error is reported at once), hence they read the spec as `unknown` and skip what is malformed.
 */
import { isKnownRegion, regionZones } from './azureRegions';
import {
  type Cidr,
  SMALLEST_SUBNET_PREFIX,
  assignableRange,
  azureReservedRole,
  cidrContainsCidr,
  cidrContainsIp,
  cidrsOverlap,
  isInternetWide,
  parseIpv4,
  parseIpv4Cidr,
} from './ip';
import { MANAGED_BY_TAG } from './seedDefaults';

export type Path = (string | number)[];
export type Report = (path: Path, message: string) => void;

/** The value at `path` inside `root`, or undefined. */
function at(root: unknown, ...path: Path): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function nodeCount(spec: unknown): number {
  const nodes = at(spec, 'nodes');
  return Array.isArray(nodes) ? nodes.length : 0;
}

export function crossCheckSpec(spec: unknown, report: Report): void {
  const subnets = checkNetwork(spec, report);
  checkStaticIps(spec, subnets, report);
  checkPorts(spec, report);
  checkDistinctNames(spec, report);
  checkWitnessSsh(spec, report);
  checkPackages(spec, report);
  checkLifeKeeper(spec, report);
  checkTags(spec, report);
  checkPaths(spec, report);
  checkZones(spec, report);
}

interface NamedSubnet {
  name: string;
  cidr: Cidr;
}
type Subnets = { service?: NamedSubnet; replication?: NamedSubnet };

function checkNetwork(spec: unknown, report: Report): Subnets {
  const vnet = parseIpv4Cidr(at(spec, 'network', 'addressSpace'));
  const result: Subnets = {};
  for (const role of ['service', 'replication'] as const) {
    const cidr = parseIpv4Cidr(at(spec, 'network', 'subnets', role, 'addressPrefix'));
    if (!cidr) continue;
    const path = ['network', 'subnets', role, 'addressPrefix'];
    if (vnet && !cidrContainsCidr(vnet, cidr)) {
      report(path, `expected a range inside the VNet's address space ${vnet.text}, got ${cidr.text}`);
    }
    if (cidr.prefix > SMALLEST_SUBNET_PREFIX) {
      report(
        path,
        `expected a subnet of /${SMALLEST_SUBNET_PREFIX} or larger (Azure's smallest subnet), got ${cidr.text}`,
      );
    }
    result[role] = { name: str(at(spec, 'network', 'subnets', role, 'name')) ?? role, cidr };
  }
  if (result.service && result.replication && cidrsOverlap(result.service.cidr, result.replication.cidr)) {
    report(
      ['network', 'subnets', 'replication', 'addressPrefix'],
      `expected a range disjoint from the service subnet ${result.service.cidr.text}, got ${result.replication.cidr.text} which overlaps it`,
    );
  }
  const serviceName = str(at(spec, 'network', 'subnets', 'service', 'name'));
  if (serviceName && serviceName === str(at(spec, 'network', 'subnets', 'replication', 'name'))) {
    report(
      ['network', 'subnets', 'replication', 'name'],
      `expected a name different from the service subnet's, got "${serviceName}" for both`,
    );
  }
  return result;
}

interface StaticIp {
  path: Path;
  role: 'service' | 'replication';
}

function staticIpFields(spec: unknown): StaticIp[] {
  const fields: StaticIp[] = [];
  for (let i = 0; i < nodeCount(spec); i++) {
    fields.push({ path: ['nodes', i, 'serviceIp'], role: 'service' });
    fields.push({ path: ['nodes', i, 'replicationIp'], role: 'replication' });
  }
  fields.push({ path: ['witness', 'serviceIp'], role: 'service' });
  fields.push({ path: ['witness', 'replicationIp'], role: 'replication' });
  fields.push({ path: ['loadBalancer', 'frontendIp'], role: 'service' });
  return fields;
}

function checkStaticIps(spec: unknown, subnets: Subnets, report: Report): void {
  const seen = new Map<string, string>();
  for (const { path, role } of staticIpFields(spec)) {
    const ip = parseIpv4(at(spec, ...path));
    if (!ip) continue;
    const subnet = subnets[role];
    if (subnet) {
      const where = `the ${role} subnet ${subnet.name} (${subnet.cidr.text}, assignable ${assignableRange(subnet.cidr)})`;
      if (!cidrContainsIp(subnet.cidr, ip)) {
        report(path, `expected an address in ${where}, got ${ip.toString()}`);
      } else {
        const reserved = azureReservedRole(subnet.cidr, ip);
        if (reserved) {
          report(
            path,
            `expected an assignable address in ${where}, got ${ip.toString()}: it is ${reserved}, one of the 5 addresses Azure reserves in every subnet`,
          );
        }
      }
    }
    const text = ip.toString();
    const owner = seen.get(text);
    if (owner) report(path, `expected a unique static IP, got ${text} which ${owner} already uses`);
    else seen.set(text, formatPath(path));
  }
}

function checkPorts(spec: unknown, report: Report): void {
  const servicePort = at(spec, 'loadBalancer', 'port');
  const probePort = at(spec, 'loadBalancer', 'probe', 'port');
  const postgresPort = at(spec, 'postgres', 'port');
  if (typeof probePort === 'number' && probePort === servicePort) {
    report(
      ['loadBalancer', 'probe', 'port'],
      `expected a probe port different from the service port ${servicePort} (LifeKeeper's LB Health Check daemon answers the probe, not the service), got ${probePort}`,
    );
  }
  if (typeof servicePort === 'number' && typeof postgresPort === 'number' && servicePort !== postgresPort) {
    report(
      ['loadBalancer', 'port'],
      `expected the PostgreSQL port ${postgresPort} (postgres.port): with floating IP the ILB rule forwards the port unchanged, got ${servicePort}`,
    );
  }
}

/** Reports every later occurrence of a value already seen (compared case-insensitively, as Azure does). */
function reportDuplicates(spec: unknown, paths: Path[], what: string, report: Report): void {
  const seen = new Map<string, Path>();
  for (const path of paths) {
    const value = at(spec, ...path);
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const key = String(value).toLowerCase();
    const first = seen.get(key);
    if (first)
      report(path, `expected a ${what} distinct from ${formatPath(first)}, got ${JSON.stringify(value)} for both`);
    else seen.set(key, path);
  }
}

function checkDistinctNames(spec: unknown, report: Report): void {
  const nodes = Array.from({ length: nodeCount(spec) }, (_, i) => i);
  reportDuplicates(spec, [...nodes.map((i) => ['nodes', i, 'name']), ['witness', 'name']], 'VM name', report);
  reportDuplicates(
    spec,
    nodes.map((i) => ['nodes', i, 'priority']),
    'LifeKeeper priority',
    report,
  );
  const nicPaths = [...nodes.map((i) => ['nodes', i]), ['witness']].flatMap((vm) => [
    [...vm, 'serviceNicName'],
    [...vm, 'replicationNicName'],
  ]);
  reportDuplicates(spec, nicPaths, 'network interface name', report);
  reportDuplicates(
    spec,
    [
      ['network', 'privateNsgName'],
      ['witness', 'nsgName'],
    ],
    'network security group name',
    report,
  );
  reportDuplicates(
    spec,
    [
      ['outbound', 'publicIpName'],
      ['witness', 'publicIpName'],
    ],
    'public IP name',
    report,
  );
}

function checkWitnessSsh(spec: unknown, report: Report): void {
  if (at(spec, 'witness', 'publicIp') !== true) return;
  const source = at(spec, 'witness', 'sshSourceCidr');
  const path = ['witness', 'sshSourceCidr'];
  if (source === undefined) {
    report(
      path,
      'required when witness.publicIp is true: the address range SSH to the witness is allowed from (e.g. 203.0.113.0/24); or set witness.publicIp to false',
    );
  } else if (
    typeof source === 'string' &&
    isInternetWide(source) &&
    at(spec, 'witness', 'allowSshFromInternet') !== true
  ) {
    report(
      path,
      `expected a range narrower than the whole internet, got "${source}": SSH open to the internet is refused unless witness.allowSshFromInternet is true`,
    );
  }
}

function checkPackages(spec: unknown, report: Report): void {
  const source = at(spec, 'packages', 'source');
  if (source === 'rhui' && at(spec, 'outbound', 'natGateway') === false) {
    report(
      ['packages', 'source'],
      "expected 'iso' when outbound.natGateway is false: 'rhui' needs outbound internet access and Standard ILB backends have none by default",
    );
  }
  if (source === 'iso' && at(spec, 'packages', 'isoLocation') === undefined) {
    report(
      ['packages', 'isoLocation'],
      "required when packages.source is 'iso': where the VMs get the RHEL DVD ISO (https URL or a path on the VM)",
    );
  }
}

/** Configuring the nodes needs the installer; the guide copies it by hand, so there is no default. */
function checkLifeKeeper(spec: unknown, report: Report): void {
  if (at(spec, 'configure') !== false && at(spec, 'lifeKeeper', 'installerLocation') === undefined) {
    report(
      ['lifeKeeper', 'installerLocation'],
      'required to configure the nodes: where the VMs download the LifeKeeper for Linux installer image (an https URL, e.g. a blob, with lifeKeeper.installerSasSecretName when it needs a SAS, or a path on the VM); or set configure: false to deploy only the infrastructure',
    );
  }
}

const TAG_NAME_FORBIDDEN = /[<>%&\\?/]/;
const MAX_TAGS = 50;

function checkTags(spec: unknown, report: Report): void {
  const tags = at(spec, 'tags');
  if (tags === null || typeof tags !== 'object') return;
  const entries = Object.entries(tags);
  if (entries.length + 1 > MAX_TAGS) {
    report(
      ['tags'],
      `expected at most ${MAX_TAGS - 1} tags (Azure allows ${MAX_TAGS} per resource and qwk-ops adds ${MANAGED_BY_TAG.name}), got ${entries.length}`,
    );
  }
  for (const [name, value] of entries) {
    const path = ['tags', name];
    if (name.length < 1 || name.length > 512 || TAG_NAME_FORBIDDEN.test(name)) {
      report(path, `expected a tag name of 1–512 characters without < > % & \\ ? /, got ${JSON.stringify(name)}`);
    }
    if (typeof value === 'string' && value.length > 256) {
      report(path, `expected a tag value of at most 256 characters, got ${value.length} characters`);
    }
    if (name.toLowerCase() === MANAGED_BY_TAG.name && value !== MANAGED_BY_TAG.value) {
      report(
        path,
        `the tag "${MANAGED_BY_TAG.name}" is reserved (always "${MANAGED_BY_TAG.value}"), got ${JSON.stringify(value)}`,
      );
    }
  }
}

function checkPaths(spec: unknown, report: Report): void {
  const dataDir = str(at(spec, 'postgres', 'dataDir'));
  const mount = str(at(spec, 'dataKeeper', 'mountPoint'));
  if (dataDir && mount && !(dataDir + '/').startsWith(mount.replace(/\/+$/, '') + '/')) {
    report(
      ['postgres', 'dataDir'],
      `expected a directory under the DataKeeper mount point ${mount} so that the database is replicated, got ${dataDir}`,
    );
  }
}

function checkZones(spec: unknown, report: Report): void {
  const zones = at(spec, 'loadBalancer', 'frontendZones');
  const location = str(at(spec, 'location'));
  if (
    Array.isArray(zones) &&
    zones.length > 0 &&
    location &&
    isKnownRegion(location) &&
    regionZones(location).length === 0
  ) {
    report(
      ['loadBalancer', 'frontendZones'],
      `expected no zones: region ${location} has no availability zones, got ${JSON.stringify(zones)}`,
    );
  }
}

/** `nodes[1].serviceIp`, `network.subnets.service.addressPrefix`, `tags["a b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    const name = String(key);
    if (/^[A-Za-z_$][\w$]*$/.test(name)) return text ? `${text}.${name}` : name;
    return `${text}[${JSON.stringify(name)}]`;
  }, '');
}
