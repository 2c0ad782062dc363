import { availabilitySets } from './availabilitySets';
import { disks } from './disks';
import { virtualMachineRunCommands } from './runCommands';
import { virtualMachines } from './virtualMachines';

export { simVmOf } from './virtualMachines';
export { powerStateOf, type PowerState } from './power';

/** The Microsoft.Compute resource types the simulator serves. */
export const COMPUTE_TYPES = [availabilitySets, virtualMachines, disks, virtualMachineRunCommands];
