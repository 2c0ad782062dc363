export * from './runtime';
export {
  VmRuntimeImpl,
  VmNotFoundError,
  VmAgentNotReadyError,
  RUN_COMMAND_MIN_MS,
  RUN_COMMAND_TIMEOUT_MS,
  RUN_COMMAND_TIMEOUT_FLOOR_MS,
} from './vmRuntime';
export type { SimVmRuntime, VmRuntimeOptions } from './vmRuntime';
export type { ClusterSnapshot, QwkWriterView, ClusterEvent, QwkObjectView } from './clusterModel';
export { formatQwkObject, parseQwkObject, posixCksum, qwkTimestamp } from './qwkObject';
export { formatRunCommandMessage, lastBytes, RUN_COMMAND_OUTPUT_LIMIT } from './runOutput';
export { treeSnapshot, diffTrees, TREE_SNAPSHOT_EXCLUDES } from './treeSnapshot';

import { VmRuntimeImpl, type SimVmRuntime, type VmRuntimeOptions } from './vmRuntime';

/** The simulator's VM runtime: sandboxes, stub commands, Run Command, power, the LifeKeeper/QWK model. */
export function createVmRuntime(options: VmRuntimeOptions): SimVmRuntime {
  return new VmRuntimeImpl(options);
}
