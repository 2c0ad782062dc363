/**
 * systemd services that scripts install, really running inside their VM's sandbox, and the VMs' outbound HTTPS
 * to the local stack's endpoints (Monitoring 2/5: the QWK relay on the witness).
 *
 * Services. A unit counts as an installed program (rather than a package unit the stubs model through state files)
 * when its file is under /etc/systemd/system and its ExecStart is not /bin/true. While the VM runs and the unit is
 * active (the systemctl stub's /run/systemd/sim-active/<unit>), its ExecStart runs as a long-lived sandbox process
 * (own mount/PID/network namespaces, chroot, as Run Command scripts — the same `unshare` arguments, so in a user
 * namespace when the simulator is not root, see sandboxMode.ts). A newer active marker (systemctl restart)
 * restarts it; Restart=on-failure/always restarts it RestartSec (real seconds) after a failing exit, otherwise the
 * unit becomes inactive. Enabled units are marked active at boot (stubs/sim-boot), so they start with the VM. A VM
 * that stops, crashes or halts (power not running) loses its services at once. Output goes to the unit's journal,
 * /var/log/sim-journal/<unit>.log in the sandbox (`serviceLog`). RuntimeDirectory= and StateDirectory= are created
 * and passed as RUNTIME_DIRECTORY / STATE_DIRECTORY, UMask= applied, as systemd does.
 *
 * Egress. Each sandbox has only a loopback interface. For every endpoint the stack publishes (the app's public URL,
 * e.g. https://qwk-ops.azurewebsites.test → the local Functions host), each VM gets a Unix socket
 * /.sim/egress/<host>_<port>.sock; the curl stub hands requests for that host and port to the real curl over that
 * socket (`--unix-socket`). On the host side an HTTPS server (certificate for the public name, issued by the
 * simulator's CA, which the sandboxes trust in /etc/pki/tls/certs/ca-bundle.crt) forwards each request to the
 * upstream with X-Forwarded-For = the VM's outbound public address — like App Service's front end — but only while
 * Azure would let the VM out: it runs, its primary NIC is up, and its subnet has a NAT gateway or its NIC a public
 * IP (arm/outbound.ts). Otherwise the connection is dropped (curl fails, as a timed-out SYN would make it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { generate } from 'selfsigned';
import type { ModelVm } from './clusterModel';
import { WRAPPER } from './sandboxExec';
import { unshareArgs } from './sandboxMode';
import { stubsDir } from './sandboxPaths';

export interface ServiceView {
  vmId: string;
  vm: string;
  unit: string;
  running: boolean;
  pid?: number;
  startedAt?: string;
  starts: number;
  lastExit?: number | null;
}

/** What the VM runtime learns from the ARM layer: whether a VM may go out, and the CA to issue certificates with. */
export interface NetworkAttachment {
  outbound(vmId: string): { allowed: boolean; publicIp?: string; reason?: string };
  ca: { certPem: string; keyPem: string };
}

/** An endpoint of the local stack reachable from the VMs under a public name. */
export interface EgressEndpoint {
  /** What the VMs use, e.g. https://qwk-ops.azurewebsites.test */
  publicUrl: string;
  /** Where it really is, e.g. http://127.0.0.1:7071 */
  upstreamUrl: string;
}

interface Unit {
  execStart: string[];
  restart: 'no' | 'on-failure' | 'always';
  restartSec: number;
  runtimeDirectory?: string;
  stateDirectory?: string;
  umask?: string;
  environment: Record<string, string>;
}

interface Running {
  vmId: string;
  vm: string;
  unit: string;
  child?: ChildProcess;
  startedAt: number;
  markerMtime: number;
  starts: number;
  lastExit?: number | null;
  stopping: boolean;
  restartTimer?: NodeJS.Timeout;
}

type Log = (message: string, data?: Record<string, unknown>) => void;

const ACTIVE_DIR = '/run/systemd/sim-active';
const UNIT_DIR = '/etc/systemd/system';
const JOURNAL_DIR = '/var/log/sim-journal';
const JOURNAL_MAX = 1024 * 1024;
const CA_BUNDLE = '/etc/pki/tls/certs/ca-bundle.crt';

/** Parses the [Service] section of a unit file; undefined when it is not a runnable program. */
export function parseUnit(text: string): Unit | undefined {
  let section = '';
  const kv: Record<string, string> = {};
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      section = sec[1];
      continue;
    }
    if (section !== 'Service') continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const k = line.slice(0, eq).trim();
    const v = line.slice(eq + 1).trim();
    if (k === 'Environment') {
      for (const m of v.matchAll(/"([^"=]+)=([^"]*)"|([^\s=]+)=(\S*)/g)) env[m[1] ?? m[3]] = m[2] ?? m[4];
    } else kv[k] = v;
  }
  const exec = (kv.ExecStart ?? '').replace(/^[-@:+!]+/, '');
  const words = exec.match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^["']|["']$/g, '')) ?? [];
  if (words.length === 0 || words[0] === '/bin/true' || words[0] === '/usr/bin/true') return undefined;
  const restart = kv.Restart === 'on-failure' || kv.Restart === 'always' ? kv.Restart : 'no';
  const sec = Number(/^(\d+(?:\.\d+)?)s?$/.exec(kv.RestartSec ?? '')?.[1] ?? '0.1');
  return {
    execStart: words,
    restart,
    restartSec: Number.isFinite(sec) ? sec : 0.1,
    ...(kv.RuntimeDirectory ? { runtimeDirectory: kv.RuntimeDirectory.split(/\s+/)[0] } : {}),
    ...(kv.StateDirectory ? { stateDirectory: kv.StateDirectory.split(/\s+/)[0] } : {}),
    ...(kv.UMask ? { umask: kv.UMask } : {}),
    environment: env,
  };
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class ServiceManager {
  private readonly running = new Map<string, Running>();
  private readonly egress = new Map<string, https.Server[]>();
  private endpoints: (EgressEndpoint & { host: string; port: number; cert?: { cert: string; key: string } })[] = [];
  private network: NetworkAttachment | undefined;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private readonly stubs = stubsDir();

  constructor(
    private readonly vms: () => ModelVm[],
    private readonly log: Log,
  ) {
    this.timer = setInterval(() => this.reconcileAll(), 1000);
    this.timer.unref();
  }

  attachNetwork(n: NetworkAttachment): void {
    this.network = n;
  }

  /** Publishes an endpoint of the local stack to the VMs (replaces one with the same public URL). */
  async setEndpoint(e: EgressEndpoint): Promise<void> {
    const u = new URL(e.publicUrl);
    if (u.protocol !== 'https:') throw new Error('egress endpoints are https');
    const port = Number(u.port || 443);
    const ca = this.network?.ca;
    const cert = ca
      ? await generate([{ name: 'commonName', value: u.hostname }], {
          keyType: 'ec',
          algorithm: 'sha256',
          notBeforeDate: new Date(Date.now() - 3600e3),
          notAfterDate: new Date(Date.now() + 30 * 24 * 3600e3),
          ca: { key: ca.keyPem, cert: ca.certPem },
          extensions: [
            { name: 'basicConstraints', cA: false },
            { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
            { name: 'extKeyUsage', serverAuth: true },
            { name: 'subjectAltName', altNames: [{ type: 2, value: u.hostname }] },
          ],
        })
      : undefined;
    this.endpoints = [
      ...this.endpoints.filter((x) => x.publicUrl !== e.publicUrl),
      { ...e, host: u.hostname, port, ...(cert ? { cert: { cert: cert.cert, key: cert.private } } : {}) },
    ];
    for (const servers of this.egress.values()) for (const s of servers) s.close();
    this.egress.clear();
    this.reconcileAll();
  }

  /** Every service process, per VM. */
  list(vmId?: string): ServiceView[] {
    return [...this.running.values()]
      .filter((r) => !vmId || r.vmId === vmId.toLowerCase())
      .map((r) => ({
        vmId: r.vmId,
        vm: r.vm,
        unit: r.unit,
        running: !!r.child && r.child.exitCode === null && !r.stopping,
        ...(r.child?.pid ? { pid: r.child.pid } : {}),
        startedAt: new Date(r.startedAt).toISOString(),
        starts: r.starts,
        ...(r.lastExit !== undefined ? { lastExit: r.lastExit } : {}),
      }));
  }

  /** `systemctl stop` of the VM's active units whose name starts with `prefix` (a fault: the unit stays stopped). */
  stopUnits(m: ModelVm, prefix: string): string[] {
    const dir = path.join(m.sandbox.paths.fsDir, ACTIVE_DIR);
    const stopped: string[] = [];
    for (const unit of safeReaddir(dir).filter((u) => u.startsWith(prefix))) {
      fs.rmSync(path.join(dir, unit), { force: true });
      stopped.push(unit);
    }
    this.reconcile(m);
    return stopped;
  }

  /** `systemctl start` of the VM's installed units whose name starts with `prefix` (healing). */
  startUnits(m: ModelVm, prefix: string): string[] {
    const dir = path.join(m.sandbox.paths.fsDir, ACTIVE_DIR);
    const started: string[] = [];
    for (const unit of safeReaddir(path.join(m.sandbox.paths.fsDir, UNIT_DIR))) {
      if (!unit.startsWith(prefix) || !unit.endsWith('.service') || !this.unitOf(m, unit)) continue;
      fs.mkdirSync(dir, { recursive: true });
      if (!fs.existsSync(path.join(dir, unit))) fs.writeFileSync(path.join(dir, unit), '');
      started.push(unit);
    }
    this.reconcile(m);
    return started;
  }

  /** The unit's journal (stdout and stderr of its processes). */
  journal(m: ModelVm, unit: string): string {
    try {
      return fs.readFileSync(path.join(m.sandbox.paths.fsDir, JOURNAL_DIR, `${unit}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  reconcileAll(): void {
    if (this.closed) return;
    const present = new Set<string>();
    for (const m of this.vms()) {
      present.add(m.vm.id.toLowerCase());
      try {
        this.reconcile(m);
      } catch (e) {
        this.log('services: reconcile failed', { vm: m.vm.name, error: (e as Error).message });
      }
    }
    for (const r of this.running.values()) if (!present.has(r.vmId)) this.kill(r, true);
    for (const [vmId, servers] of this.egress)
      if (!present.has(vmId)) {
        for (const s of servers) s.close();
        this.egress.delete(vmId);
      }
  }

  /** Brings the VM's processes in line with its units' state (and its egress sockets). */
  reconcile(m: ModelVm): void {
    if (this.closed) return;
    const vmId = m.vm.id.toLowerCase();
    const mine = [...this.running.values()].filter((r) => r.vmId === vmId);
    if (m.power !== 'running') {
      for (const r of mine) this.kill(r, true);
      return;
    }
    this.ensureEgress(m);
    const activeDir = path.join(m.sandbox.paths.fsDir, ACTIVE_DIR);
    const active = new Map<string, number>();
    for (const unit of safeReaddir(activeDir)) {
      if (!this.unitOf(m, unit)) continue;
      try {
        active.set(unit, fs.statSync(path.join(activeDir, unit)).mtimeMs);
      } catch {
        /* removed meanwhile */
      }
    }
    for (const r of mine) {
      const mtime = active.get(r.unit);
      if (mtime === undefined) this.kill(r, true);
      else if (mtime > r.markerMtime) {
        this.kill(r, false);
        this.start(m, r.unit, mtime, r.starts);
      }
    }
    for (const [unit, mtime] of active) if (!this.running.has(`${vmId}|${unit}`)) this.start(m, unit, mtime, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const r of this.running.values()) this.kill(r, true);
    for (const servers of this.egress.values()) for (const s of servers) s.close();
    this.egress.clear();
  }

  private unitOf(m: ModelVm, unit: string): Unit | undefined {
    const file = path.join(m.sandbox.paths.fsDir, UNIT_DIR, unit);
    try {
      if (!fs.statSync(file).isFile()) return undefined;
      return parseUnit(fs.readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  }

  private start(m: ModelVm, unitName: string, markerMtime: number, starts: number): void {
    const unit = this.unitOf(m, unitName);
    const vmId = m.vm.id.toLowerCase();
    const key = `${vmId}|${unitName}`;
    if (!unit) return;
    const fsDir = m.sandbox.paths.fsDir;
    const launcher = `/.sim/services/${unitName}.sh`;
    const dirs: string[] = [];
    const env: Record<string, string> = { ...unit.environment };
    if (unit.runtimeDirectory) {
      env.RUNTIME_DIRECTORY = `/run/${unit.runtimeDirectory}`;
      dirs.push(env.RUNTIME_DIRECTORY);
    }
    if (unit.stateDirectory) {
      env.STATE_DIRECTORY = `/var/lib/${unit.stateDirectory}`;
      dirs.push(env.STATE_DIRECTORY);
    }
    const script = [
      '#!/bin/bash',
      ...dirs.map((d) => `mkdir -p ${shq(d)} && chmod 700 ${shq(d)}`),
      ...(unit.umask ? [`umask ${shq(unit.umask)}`] : []),
      ...Object.entries(env).map(([k, v]) => `export ${k}=${shq(v)}`),
      `exec ${unit.execStart.map(shq).join(' ')}`,
      '',
    ].join('\n');
    fs.mkdirSync(path.join(fsDir, '.sim/services'), { recursive: true });
    fs.writeFileSync(path.join(fsDir, launcher), script, { mode: 0o700 });
    const journalFile = path.join(fsDir, JOURNAL_DIR, `${unitName}.log`);
    fs.mkdirSync(path.dirname(journalFile), { recursive: true });
    const append = (b: Buffer) => {
      try {
        if (fs.existsSync(journalFile) && fs.statSync(journalFile).size > JOURNAL_MAX) fs.truncateSync(journalFile, 0);
        const stamp = new Date().toISOString();
        const lines = b
          .toString()
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => `${stamp} ${m.vm.computerName} ${unitName}: ${l}\n`);
        fs.appendFileSync(journalFile, lines.join(''));
      } catch {
        /* the sandbox may be gone */
      }
    };
    const child = spawn(
      'unshare',
      [
        ...unshareArgs(),
        'bash',
        '-c',
        WRAPPER,
        'sim-service',
        fsDir,
        m.sandbox.paths.workDir,
        m.sandbox.paths.clusterDir,
        this.stubs,
        m.vm.computerName,
        launcher,
        '/',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const r: Running = {
      vmId,
      vm: m.vm.name,
      unit: unitName,
      child,
      startedAt: Date.now(),
      markerMtime,
      starts: starts + 1,
      stopping: false,
    };
    this.running.set(key, r);
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.on('error', (e) => append(Buffer.from(`failed to start: ${e.message}`)));
    child.on('close', (code, signal) => {
      r.lastExit = code ?? (signal ? 128 + 9 : null);
      if (r.stopping || this.closed || this.running.get(key) !== r) return;
      const failed = code !== 0;
      append(Buffer.from(`process exited (${signal ?? `status ${code}`})`));
      const again = unit.restart === 'always' || (unit.restart === 'on-failure' && failed);
      if (again) {
        r.restartTimer = setTimeout(() => {
          r.restartTimer = undefined;
          if (this.running.get(key) !== r || this.closed) return;
          this.running.delete(key);
          const current = this.vms().find((v) => v.vm.id.toLowerCase() === vmId);
          if (current && current.power === 'running' && fs.existsSync(path.join(fsDir, ACTIVE_DIR, unitName)))
            this.start(current, unitName, r.markerMtime, r.starts);
        }, unit.restartSec * 1000);
        r.restartTimer.unref();
      } else {
        this.running.delete(key);
        fs.rmSync(path.join(fsDir, ACTIVE_DIR, unitName), { force: true });
      }
    });
    this.log('service started', { vm: m.vm.name, unit: unitName, pid: child.pid });
  }

  private kill(r: Running, forget: boolean): void {
    r.stopping = true;
    if (r.restartTimer) clearTimeout(r.restartTimer);
    try {
      if (r.child?.pid && r.child.exitCode === null) process.kill(-r.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    if (forget || this.running.get(`${r.vmId}|${r.unit}`) === r) this.running.delete(`${r.vmId}|${r.unit}`);
  }

  /** The VM's egress sockets, its trust of the simulator's CA, and the real curl the stub hands requests to. */
  private ensureEgress(m: ModelVm): void {
    const vmId = m.vm.id.toLowerCase();
    if (this.egress.has(vmId) || this.endpoints.length === 0 || !this.network) return;
    const fsDir = m.sandbox.paths.fsDir;
    const dir = path.join(fsDir, '.sim/egress');
    fs.mkdirSync(dir, { recursive: true });
    const curlReal = path.join(fsDir, '.sim/bin/curl.real');
    if (!fs.existsSync(curlReal) && fs.existsSync('/usr/bin/curl')) {
      fs.mkdirSync(path.dirname(curlReal), { recursive: true });
      fs.copyFileSync('/usr/bin/curl', curlReal);
      fs.chmodSync(curlReal, 0o755);
    }
    const bundle = path.join(fsDir, CA_BUNDLE);
    const caPem = this.network.ca.certPem;
    const existing = fs.existsSync(bundle) ? fs.readFileSync(bundle, 'utf8') : '';
    if (!existing.includes(caPem.trim())) {
      fs.mkdirSync(path.dirname(bundle), { recursive: true });
      fs.writeFileSync(bundle, `${existing}${existing && !existing.endsWith('\n') ? '\n' : ''}${caPem.trim()}\n`);
    }
    const servers: https.Server[] = [];
    this.egress.set(vmId, servers);
    this.endpoints.forEach((e, i) => {
      if (!e.cert) return;
      const finalPath = path.join(dir, `${e.host}_${e.port}.sock`);
      fs.rmSync(finalPath, { force: true });
      const server = https.createServer({ cert: e.cert.cert, key: e.cert.key }, (req, res) =>
        this.forward(m.vm.id, e, req, res),
      );
      // A Unix socket path is limited to 108 bytes: listen on a short path, then move the socket into the sandbox.
      const shortPath = path.join(path.dirname(m.sandbox.paths.clusterDir), `.eg-${process.pid}-${vmShort(vmId)}-${i}`);
      fs.rmSync(shortPath, { force: true });
      server.on('error', (err) => this.log('egress: socket failed', { vm: m.vm.name, error: err.message }));
      server.listen(shortPath, () => {
        try {
          fs.renameSync(shortPath, finalPath);
          fs.chmodSync(finalPath, 0o666);
        } catch (err) {
          this.log('egress: cannot place the socket', { vm: m.vm.name, error: (err as Error).message });
        }
      });
      servers.push(server);
    });
  }

  private forward(vmId: string, e: EgressEndpoint, req: http.IncomingMessage, res: http.ServerResponse): void {
    const m = this.vms().find((v) => v.vm.id.toLowerCase() === vmId.toLowerCase());
    const out = this.network?.outbound(vmId);
    const nicDown = m ? fs.existsSync(path.join(m.sandbox.paths.fsDir, '/run/sim/ifdown/eth0')) : true;
    if (!m || m.power !== 'running' || nicDown || !out?.allowed) {
      req.socket.destroy(); // no route out: the client sees the connection fail
      return;
    }
    const up = new URL(e.upstreamUrl);
    const headers = { ...req.headers, 'x-forwarded-for': out.publicIp ?? '0.0.0.0', host: req.headers.host ?? '' };
    const proxied = http.request(
      {
        hostname: up.hostname,
        port: up.port || 80,
        method: req.method,
        path: `${up.pathname.replace(/\/$/, '')}${req.url ?? '/'}`,
        headers,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    proxied.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(proxied);
  }
}

function vmShort(vmId: string): string {
  let h = 0;
  for (const c of vmId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(36);
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
