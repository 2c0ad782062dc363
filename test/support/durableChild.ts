/** Starts test/support/durableChildHost.js (the local host + Durable extension in a child process). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { durableAppRoot } from './durableHost';

export interface ChildHost {
  child: ChildProcess;
  baseUrl: string;
  systemKey: string;
}

export function startChildHost(connectionString: string): Promise<ChildHost> {
  const child = spawn(process.execPath, [path.resolve(__dirname, 'durableChildHost.js'), durableAppRoot], {
    env: { ...process.env, AzureWebJobsStorage: connectionString },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.stdout.on('data', (d) => {
      out += String(d);
      const m = /DURABLE_CHILD_READY (.*)\n/.exec(out);
      if (m) resolve({ child, ...(JSON.parse(m[1]) as { baseUrl: string; systemKey: string }) });
    });
    child.on('exit', (code) => reject(new Error(`child host exited (${code}): ${err}`)));
  });
}

export async function killChildHost(host: ChildHost | undefined): Promise<void> {
  if (!host || host.child.exitCode !== null || host.child.signalCode !== null) return;
  const exited = new Promise((r) => host.child.once('exit', r));
  host.child.kill('SIGKILL');
  await exited;
}
