/**
 * The contract between the simulator's ARM layer (local/azure-sim/*) and the VM runtime
 * (local/azure-sim/vm/*: sandboxes, stub commands, Run Command execution, the LifeKeeper/QWK model and the
 * ILB probe). The ARM layer owns resources, LROs, latency, faults and the journal; it calls the runtime when a
 * VM's lifecycle changes or a Run Command is requested, and asks it which backends answer a load balancer's probe.
 */

export interface SimNic {
  /** ARM id of the network interface. */
  id: string;
  name: string;
  primary: boolean;
  /** Private IP of the NIC's primary ip configuration. */
  privateIp: string;
  /** MAC address as ARM shows it (e.g. "00-0D-3A-12-34-56"). */
  macAddress: string;
  /** ARM id of the subnet. */
  subnetId: string;
}

export interface SimVm {
  /** ARM id of the virtual machine. */
  id: string;
  name: string;
  resourceGroup: string;
  subscriptionId: string;
  /** osProfile.computerName (the host name inside the VM). */
  computerName: string;
  adminUsername: string;
  nics: SimNic[];
  /** Data disks' sizes in GiB by LUN. */
  dataDisks: { lun: number; diskSizeGB: number }[];
}

/** A cluster: the VMs of one subscription + resource group. */
export interface ClusterRef {
  subscriptionId: string;
  resourceGroup: string;
}

export type PowerAction = 'restart' | 'deallocate' | 'start' | 'powerOff';

export interface RunCommandInput {
  commandId: string; // 'RunShellScript'
  script: string[];
  parameters?: { name: string; value: string }[];
}

/** What Azure returns in value[0].message for a Linux RunShellScript (already truncated to Azure's limits). */
export interface RunCommandOutput {
  /** `Enable succeeded: \n[stdout]\n...\n[stderr]\n...` */
  message: string;
  /** Real exit code, kept only for the simulator's own journal/tests; Azure does not return it. */
  exitCode: number;
  durationMs: number;
}

export class VmBusyError extends Error {
  readonly code = 'Conflict';
  constructor(vmName: string) {
    super(`Run command extension execution is in progress on VM '${vmName}'. Please wait for it to complete.`);
  }
}

export class VmNotRunningError extends Error {
  readonly code = 'OperationNotAllowed';
  constructor(vmName: string) {
    super(`Operation 'runCommand' is not allowed on VM '${vmName}' since the VM is not running.`);
  }
}

export interface VmRuntime {
  /** Called once the VM's create LRO succeeded: make its sandbox (idempotent for a re-PUT). */
  vmCreated(vm: SimVm): Promise<void>;
  /** Called when the VM is deleted: forget it and remove its sandbox. */
  vmDeleted(vmId: string): Promise<void>;
  /** Called when a power action's LRO completes (restart = stop + start; LifeKeeper on it restarts as on boot). */
  powerAction(vmId: string, action: PowerAction): Promise<void>;
  powerState(vmId: string): 'running' | 'stopped' | 'deallocated' | 'starting' | 'stopping' | 'unknown';
  /** Throws VmBusyError while another run is in progress on that VM, VmNotRunningError if it is not running. */
  runCommand(vmId: string, input: RunCommandInput): Promise<RunCommandOutput>;
  /**
   * Whether the host with that private IP answers TCP on that port at `at` (the ILB probe), in `cluster` (each
   * cluster has its own history: two clusters may use the same private IPs). Without `cluster`: in any cluster.
   */
  probeAnswered(ip: string, port: number, at: Date, cluster?: ClusterRef): boolean;
  /** Whether the VM's guest answers (false for a hung kernel: ARM says running, the guest agent is silent). */
  guestResponsive?(vmId: string): boolean;
  /** The resource group was deleted: stop its model, remove its sandboxes. */
  clusterDeleted?(cluster: ClusterRef): Promise<void>;
  /** The clocks the runtime runs on (the simulator adopts them so that /_sim/time-scale changes both). */
  readonly clocks?: import('../clocks').SimClocks;
  /** Stops timers and background loops. */
  close(): Promise<void>;
  /**
   * Optional: how the ARM layer lets the runtime see the network — whether a VM has an outbound path (NAT gateway or
   * public IP) and the simulator's CA (to issue certificates for endpoints the VMs reach).
   */
  attachNetwork?(n: {
    outbound(vmId: string): { allowed: boolean; publicIp?: string; reason?: string };
    ca: { certPem: string; keyPem: string };
  }): void;
}
