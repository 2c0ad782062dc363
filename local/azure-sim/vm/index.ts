export * from './runtime';
export {
  VmRuntimeImpl,
  VmNotFoundError,
  SandboxUnavailableError,
  VmAgentNotReadyError,
  RUN_COMMAND_MIN_MS,
  RUN_COMMAND_TIMEOUT_MS,
  RUN_COMMAND_LIMIT_FLOOR_MS,
  runCommandLimitMs,
} from './vmRuntime';
export { sandboxMode, removeTree, type SandboxMode } from './sandboxMode';
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
