import { VmBusyError, VmNotRunningError } from '../vm/runtime';
import { ArmError } from './errors';

/** The runtime's refusals as ARM answers them (by class, or by class name when another copy of the module threw). */
export function runtimeError(err: unknown): ArmError | undefined {
  const name = (err as Error | undefined)?.constructor?.name;
  if (err instanceof VmBusyError || name === 'VmBusyError')
    return new ArmError(409, 'Conflict', (err as Error).message);
  if (err instanceof VmNotRunningError || name === 'VmNotRunningError')
    return new ArmError(409, 'OperationNotAllowed', (err as Error).message);
  if (name === 'VmAgentNotReadyError')
    return new ArmError(409, 'VMAgentStatusCommunicationError', (err as Error).message);
  return undefined;
}
