/** Azure's Linux RunShellScript output shaping: only the last 4,096 bytes of each stream, no exit code. */
export const RUN_COMMAND_OUTPUT_LIMIT = 4096;

export function lastBytes(buf: Buffer, limit = RUN_COMMAND_OUTPUT_LIMIT): Buffer {
  return buf.length <= limit ? buf : buf.subarray(buf.length - limit);
}

export function formatRunCommandMessage(stdout: Buffer, stderr: Buffer, limit = RUN_COMMAND_OUTPUT_LIMIT): string {
  return `Enable succeeded: \n[stdout]\n${lastBytes(stdout, limit).toString('utf8')}\n[stderr]\n${lastBytes(stderr, limit).toString('utf8')}\n`;
}
