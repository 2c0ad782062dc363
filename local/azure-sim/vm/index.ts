export * from './runtime';
export { VmRuntimeImpl, VmNotFoundError, RUN_COMMAND_MIN_MS, RUN_COMMAND_TIMEOUT_MS } from './vm-runtime';
export type { SimVmRuntime, VmRuntimeOptions } from './vm-runtime';
export type { ClusterSnapshot, QwkWriterView } from './cluster-model';
export { formatQwkObject, parseQwkObject, posixCksum, qwkTimestamp } from './qwk-object';
export { formatRunCommandMessage, lastBytes, RUN_COMMAND_OUTPUT_LIMIT } from './run-output';
export { treeSnapshot, diffTrees, TREE_SNAPSHOT_EXCLUDES } from './tree-snapshot';

import { VmRuntimeImpl, type SimVmRuntime, type VmRuntimeOptions } from './vm-runtime';

/** The simulator's VM runtime: sandboxes, stub commands, Run Command, power, the LifeKeeper/QWK model. */
export function createVmRuntime(options: VmRuntimeOptions): SimVmRuntime {
  return new VmRuntimeImpl(options);
}
