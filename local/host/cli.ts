#!/usr/bin/env node
/**
 * Runs the local Functions host for an app folder until SIGINT/SIGTERM:
 *
 *   node dist/local/host/cli.js --app <dir> [--port 7071] [--entry <glob>] [--quiet]
 *
 * The Durable extension is loaded from ./durable (createDurableExtension) when it exists. Once the host listens,
 * one line `QWK_HOST_READY {"baseUrl":...,"port":...,"pid":...}` is printed to stdout (for parent processes).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { HostExtension } from './extension';
import { startHost } from './index';

function loadDurableExtension(): HostExtension[] {
  let resolved: string;
  try {
    resolved = require.resolve('./durable');
  } catch {
    return []; // the Durable engine is not built (yet)
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(resolved) as { createDurableExtension?: () => HostExtension };
  return typeof mod.createDurableExtension === 'function' ? [mod.createDurableExtension()] : [];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      app: { type: 'string' },
      port: { type: 'string' },
      entry: { type: 'string' },
      quiet: { type: 'boolean' },
    },
  });
  if (!values.app) {
    process.stderr.write('usage: cli.js --app <dir> [--port N] [--entry <glob>] [--quiet]\n');
    process.exit(2);
  }
  const host = await startHost({
    appRoot: path.resolve(values.app),
    port: values.port === undefined ? undefined : Number(values.port),
    entry: values.entry,
    extensions: loadDurableExtension(),
    console: !values.quiet,
  });
  process.stdout.write(
    `QWK_HOST_READY ${JSON.stringify({ baseUrl: host.baseUrl, port: host.port, pid: process.pid })}\n`,
  );
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    host.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`Host stop failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`Host failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
