/** The service under test as a child process (start, stop, kill) and the CPU it and we use. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchError, ROOT, message, round } from './common.js';

export const MAIN_JS = join(ROOT, 'dist', 'main.js');
export const STOP_TIMEOUT_MS = 10_000;
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 90_000;
const SERVICE_ENV_PASSTHROUGH = ['DATABASE_POOL_SIZE', 'NODE_OPTIONS', 'UV_THREADPOOL_SIZE'];
/** Linux USER_HZ: the unit of utime/stime in /proc/<pid>/stat. */
const CLOCK_TICKS_PER_SEC = 100;

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Service {
  child: ChildProcess;
  pid: number;
  base: string;
  logPath: string;
  exited: Promise<ServiceExit>;
  exit: ServiceExit | null;
  bootMs: number;
}

export interface StopReport extends ServiceExit {
  ms: number;
  /** Not within STOP_TIMEOUT_MS: killed with SIGKILL. */
  killed: boolean;
  /** Had already exited before we asked it to stop. */
  crashed: boolean;
}

const liveChildren = new Set<ChildProcess>();

export const fmtExit = (e: ServiceExit): string =>
  e.signal !== null ? `signal ${e.signal}` : `code ${String(e.code)}`;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function startService(
  runDir: string,
  port: number,
  extraEnv: Record<string, string>,
): Promise<Service> {
  const logPath = join(runDir, 'service.log');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? runDir,
    APP_PROFILE: 'production',
    PORT: String(port),
    HOST,
    LOG_LEVEL: 'warn',
    STRIPE_SECRET_KEY: 'sk_test_bench_000000000000',
    ...extraEnv,
  };
  for (const name of SERVICE_ENV_PASSTHROUGH) {
    const v = process.env[name];
    if (v !== undefined && v !== '') env[name] = v;
  }
  const fd = openSync(logPath, 'a');
  const started = performance.now();
  // cwd is the run's own directory, so no .env file of the repository is picked up.
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd: runDir,
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  liveChildren.add(child);
  const svc: Service = {
    child,
    pid: child.pid ?? -1,
    base: `http://${HOST}:${port}`,
    logPath,
    exit: null,
    bootMs: 0,
    exited: new Promise<ServiceExit>((resolve) => {
      child.once('exit', (code, signal) => {
        liveChildren.delete(child);
        svc.exit = { code, signal };
        resolve(svc.exit);
      });
      child.once('error', (err) => {
        liveChildren.delete(child);
        writeFileSync(logPath, `bench: could not start the service: ${err.message}\n`, {
          flag: 'a',
        });
        svc.exit = { code: null, signal: null };
        resolve(svc.exit);
      });
    }),
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last: string;
  for (;;) {
    if (svc.exit !== null) {
      throw new BenchError(
        `the service exited (${fmtExit(svc.exit)}) before it was ready; log: ${logPath}\n${tail(logPath)}`,
      );
    }
    try {
      const res = await fetch(`${svc.base}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      if (res.status === 200) break;
      last = `HTTP ${res.status} ${text.slice(0, 300)}`;
    } catch (err) {
      last = message(err);
    }
    if (Date.now() > deadline) {
      await killService(svc);
      throw new BenchError(
        `the service was not ready within ${READY_TIMEOUT_MS / 1000} s (last: ${last}); log: ${logPath}`,
      );
    }
    await sleep(200);
  }
  svc.bootMs = performance.now() - started;
  return svc;
}

/** SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_MS. */
export async function stopService(svc: Service): Promise<StopReport> {
  const crashed = svc.exit !== null;
  const t0 = performance.now();
  if (!crashed) svc.child.kill('SIGTERM');
  const exit = await Promise.race([svc.exited, sleep(STOP_TIMEOUT_MS, null)]);
  if (exit !== null) return { ...exit, ms: performance.now() - t0, killed: false, crashed };
  svc.child.kill('SIGKILL');
  const forced = await svc.exited;
  return { ...forced, ms: performance.now() - t0, killed: true, crashed };
}

export async function killService(svc: Service): Promise<void> {
  if (svc.exit !== null) return;
  svc.child.kill('SIGKILL');
  await svc.exited;
}

/** On interrupt: SIGTERM every service still running, SIGKILL those left after graceMs. */
export async function stopAllServices(graceMs: number): Promise<void> {
  for (const child of liveChildren) child.kill('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (liveChildren.size > 0 && Date.now() < deadline) await sleep(100);
  killAllServices();
}

export function killAllServices(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
}

// CPU: the service process, this process (autocannon + signing) and the whole machine.

export interface CpuSnapshot {
  at: number;
  serviceTicks: number | null;
  self: NodeJS.CpuUsage;
  busyMs: number;
  totalMs: number;
}

/** Average cores used over the interval (2.0 = both cores of a 2-core machine). */
export interface CpuUse {
  service: number | null;
  bench: number;
  machine: number;
}

function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

export function cpuSnapshot(servicePid: number): CpuSnapshot {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times } of cpus()) {
    const busy = times.user + times.nice + times.sys + times.irq;
    busyMs += busy;
    totalMs += busy + times.idle;
  }
  return {
    at: performance.now(),
    serviceTicks: processTicks(servicePid),
    self: process.cpuUsage(),
    busyMs,
    totalMs,
  };
}

export function cpuUse(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const service =
    a.serviceTicks === null || b.serviceTicks === null
      ? null
      : (b.serviceTicks - a.serviceTicks) / CLOCK_TICKS_PER_SEC / seconds;
  const selfUs = b.self.user + b.self.system - (a.self.user + a.self.system);
  const total = b.totalMs - a.totalMs;
  return {
    service: round(service, 2),
    bench: round(selfUs / 1e6 / seconds, 2) ?? 0,
    machine: round(total > 0 ? ((b.busyMs - a.busyMs) / total) * cpus().length : 0, 2) ?? 0,
  };
}
