/**
 * The configuration of a deployed cluster as stages (pure): each stage is, per VM, a list of steps that VM runs one
 * after the other (a configureNode sub-orchestration); the VMs of one stage run in parallel, and a stage starts when
 * the previous one is done. Stage boundaries carry the guide's cross-VM ordering:
 *   1 os        all VMs: /etc/hosts, firewalld, NIC pinning, sshd, SSH keys, package source, SELinux last (+ ARM
 *               restart when the config changed or SELinux still runs: last, so that the stage is one Run Command)
 *   2 software  witness: NFS server + share, PostgreSQL client; nodes: PostgreSQL server, LifeKeeper install,
 *               license, start, QWK keys
 *   3 storage   nodes: mount the witness share (needs stage 2's export); primary: qwk_storage_init, its comm paths
 *   4 peer      standby: qwk_storage_init (after the primary's), its comm paths (waits until ALIVE)
 *   5 hierarchy primary: DataKeeper mirror, PostgreSQL on /data, pgsql, lbhc, ip, dependencies (each extended),
 *               then the hierarchy In Service (a live check: after both nodes restarted it is brought In Service)
 *   6..9 verify switchover to the standby; psql through the frontend IP from the witness; switch back (+ both QWK
 *               objects fresh, read on the witness); psql again, then the witness's QWK relay (Monitoring 2/5:
 *               needs the share; started last so that it posts for a cluster about to be registered).
 */
import { primaryAndStandby, STEP, type ScriptParams, type StepName, type VmRole } from '../scripts';

/** One step on one VM. `id` is unique per VM (a builder may run twice on a VM under two ids). */
export interface ConfigStepRef {
  id: string;
  step: StepName;
  vm: string;
  role: VmRole;
  /** Comm paths: the second node waits until the paths are ALIVE. */
  requireAlive?: boolean;
  /** Part of the switchover verification (to the standby, psql there, back): run as verify.switchover says. */
  switchover?: boolean;
}

/** verify.switchover of the spec: on the cluster's first successful deployment, on every one, or never. */
export type SwitchoverPolicy = 'first' | 'always' | 'never';

/**
 * Steps that check live state a crash or a restart can tear (SELinux's running mode, LifeKeeper running, the
 * hierarchy In Service): they run on every deployment and leave no marker.
 */
export const LIVE_STEPS: ReadonlySet<StepName> = new Set<StepName>([
  STEP.selinux,
  STEP.lifeKeeperStart,
  STEP.inService,
]);

/**
 * Whether a matching completion marker skips the step: not for live checks, nor for the switchover verification
 * when the spec wants it every time.
 */
export function usesMarker(ref: ConfigStepRef, policy: SwitchoverPolicy): boolean {
  if (LIVE_STEPS.has(ref.step)) return false;
  return !(ref.switchover && policy === 'always');
}

export interface ConfigStage {
  name: string;
  /** Per VM, its steps in order. */
  vms: { vm: string; steps: ConfigStepRef[] }[];
}

export function configurationStages(p: ScriptParams): ConfigStage[] {
  const { primary, standby } = primaryAndStandby(p);
  const w = p.witness.name;
  const ref = (vm: string, step: StepName, extra: Partial<ConfigStepRef> = {}): ConfigStepRef => ({
    id: step,
    step,
    vm,
    role: vm === w ? 'witness' : 'node',
    ...extra,
  });
  const nodes = [primary.name, standby.name];
  const all = [...nodes, w];
  const os = (vm: string) =>
    [STEP.hosts, STEP.firewall, STEP.nicPinning, STEP.sshd, STEP.sshKeys, STEP.packageSource, STEP.selinux].map((s) =>
      ref(vm, s),
    );
  const stage = (name: string, vms: [string, ConfigStepRef[]][]): ConfigStage => ({
    name,
    vms: vms.map(([vm, steps]) => ({ vm, steps })),
  });
  return [
    stage(
      'os',
      all.map((vm) => [vm, os(vm)]),
    ),
    stage('software', [
      [w, [ref(w, STEP.witnessNfs), ref(w, STEP.postgresClient)]],
      ...nodes.map((vm): [string, ConfigStepRef[]] => [
        vm,
        [STEP.postgresServer, STEP.lifeKeeperInstall, STEP.lifeKeeperLicense, STEP.lifeKeeperStart, STEP.qwkConfig].map(
          (s) => ref(vm, s),
        ),
      ]),
    ]),
    stage('storage', [
      [
        primary.name,
        [
          ref(primary.name, STEP.nodeNfs),
          ref(primary.name, STEP.qwkInit),
          ref(primary.name, STEP.commPaths, { requireAlive: false }),
        ],
      ],
      [standby.name, [ref(standby.name, STEP.nodeNfs)]],
    ]),
    stage('peer', [
      [standby.name, [ref(standby.name, STEP.qwkInit), ref(standby.name, STEP.commPaths, { requireAlive: true })]],
    ]),
    stage('hierarchy', [
      [
        primary.name,
        [
          STEP.dataKeeper,
          STEP.postgresPrimary,
          STEP.pgsqlResource,
          STEP.lbhcResource,
          STEP.ipResource,
          STEP.dependencies,
          STEP.inService,
        ].map((s) => ref(primary.name, s)),
      ],
    ]),
    stage('switchover', [[standby.name, [ref(standby.name, STEP.switchover, { switchover: true })]]]),
    stage('client-on-standby', [
      [w, [ref(w, STEP.clientCheck, { id: `${STEP.clientCheck}-standby`, switchover: true })]],
    ]),
    stage('switchback', [
      [primary.name, [ref(primary.name, STEP.switchover, { switchover: true })]],
      [w, [ref(w, STEP.qwkCheck)]],
    ]),
    stage('client-on-primary', [[w, [ref(w, STEP.clientCheck), ref(w, STEP.relay)]]]),
  ];
}

/** Every configuration step in stage order (for the status' step list). */
export function configStepRefs(stages: ConfigStage[]): ConfigStepRef[] {
  return stages.flatMap((s) => s.vms.flatMap((v) => v.steps));
}
