/**
 * The configuration of a deployed cluster as stages (pure): each stage is, per VM, a list of steps that VM runs one
 * after the other (a configureNode sub-orchestration); the VMs of one stage run in parallel, and a stage starts when
 * the previous one is done. Stage boundaries carry the guide's cross-VM ordering:
 *   1 os        all VMs: /etc/hosts, SELinux (+ ARM restart if it changed), firewalld, NIC pinning, sshd, SSH keys,
 *               package source
 *   2 software  witness: NFS server + share, PostgreSQL client; nodes: PostgreSQL server, LifeKeeper install,
 *               license, start, QWK keys
 *   3 storage   nodes: mount the witness share (needs stage 2's export); primary: qwk_storage_init, its comm paths
 *   4 peer      standby: qwk_storage_init (after the primary's), its comm paths (waits until ALIVE)
 *   5 hierarchy primary: DataKeeper mirror, PostgreSQL on /data, pgsql, lbhc, ip, dependencies (each extended)
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
    [STEP.hosts, STEP.selinux, STEP.firewall, STEP.nicPinning, STEP.sshd, STEP.sshKeys, STEP.packageSource].map((s) =>
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
        ].map((s) => ref(primary.name, s)),
      ],
    ]),
    stage('switchover', [[standby.name, [ref(standby.name, STEP.switchover)]]]),
    stage('client-on-standby', [[w, [ref(w, STEP.clientCheck, { id: `${STEP.clientCheck}-standby` })]]]),
    stage('switchback', [
      [primary.name, [ref(primary.name, STEP.switchover)]],
      [w, [ref(w, STEP.qwkCheck)]],
    ]),
    stage('client-on-primary', [[w, [ref(w, STEP.clientCheck), ref(w, STEP.relay)]]]),
  ];
}

/** Every configuration step in stage order (for the status' step list). */
export function configStepRefs(stages: ConfigStage[]): ConfigStepRef[] {
  return stages.flatMap((s) => s.vms.flatMap((v) => v.steps));
}
