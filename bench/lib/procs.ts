import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { log, sleep } from './util';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every child this run started, so that any exit (error, Ctrl-C, timeout) can end them. */
const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void> | void)[] = [];
let cleaningUp: Promise<void> | null = null;

/** Registers work to do once at exit, newest first (drop the database after the server stopped). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** Ends every child still running, then runs the cleanups. Safe to call twice. */
export function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    const deadline = Date.now() + 8_000;
    while ([...children].some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline)
      await sleep(50);
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        log(`cleanup step failed: ${(err as Error).message}`);
      }
    }
  })();
  return cleaningUp;
}

/**
 * Runs `main` with a hard deadline and cleans up however it ends: on success,
 * on an error, on SIGINT/SIGTERM, or when the deadline passes.
 */
/** True once the run was interrupted (signal or deadline): results must not be written after that. */
export let interrupted = false;

export function runMain(main: () => Promise<void>, deadlineMs: number): void {
  const finish = async (code: number) => {
    if (code !== 0) interrupted = true;
    await cleanup();
    process.exit(code);
  };
  process.on('SIGINT', () => {
    log('interrupted; cleaning up');
    void finish(130);
  });
  process.on('SIGTERM', () => void finish(143));
  const watchdog = setTimeout(() => {
    log(`the run passed its ${Math.round(deadlineMs / 60_000)} minute limit; stopping`);
    void finish(2);
  }, deadlineMs);
  watchdog.unref();
  main().then(
    () => finish(0),
    (err) => {
      log(`failed: ${(err as Error).stack ?? err}`);
      void finish(1);
    },
  );
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Ends one child: SIGTERM, then SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

type Reply = { id: number; ok: boolean; result?: unknown; error?: string };

/** A bench worker in its own process, driven over IPC: `call` sends a command and awaits its answer. */
export interface Worker {
  child: ChildProcess;
  call<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Unsolicited messages (`{type: ...}`) from the worker. */
  onMessage(fn: (message: { type: string; [key: string]: unknown }) => void): void;
  stop(): Promise<void>;
}

/** Forks `bench/workers/<name>.ts` under tsx with an IPC channel. */
export async function startWorker(name: string, env: Record<string, string> = {}): Promise<Worker> {
  const child = fork(path.join(ROOT, 'bench/workers', `${name}.ts`), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  track(child);
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners: ((m: { type: string; [key: string]: unknown }) => void)[] = [];
  child.on('message', (raw) => {
    const message = raw as Reply & { type?: string };
    if (message.type) {
      for (const fn of listeners) fn(message as { type: string });
      return;
    }
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`${name}: ${message.error}`));
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values())
      waiter.reject(new Error(`${name} worker exited (${code ?? signal})`));
    pending.clear();
  });
  const worker: Worker = {
    child,
    call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 120_000) {
      return new Promise<T>((resolve, reject) => {
        if (child.exitCode !== null) return reject(new Error(`${name} worker is not running`));
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}.${cmd}: no answer within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, cmd, ...args });
      });
    },
    onMessage(fn) {
      listeners.push(fn);
    },
    stop: () => stopChild(child, 5_000),
  };
  await worker.call('ready', {}, 30_000);
  return worker;
}

/** The worker side of `startWorker`: answers commands with the handlers given. */
export function serveCommands(handlers: Record<string, (args: Record<string, unknown>) => unknown>): void {
  process.on('message', async (raw) => {
    const { id, cmd, ...args } = raw as { id: number; cmd: string };
    try {
      const handler = cmd === 'ready' ? () => true : handlers[cmd];
      if (!handler) throw new Error(`unknown command ${cmd}`);
      const result = await handler(args);
      process.send?.({ id, ok: true, result });
    } catch (err) {
      process.send?.({ id, ok: false, error: (err as Error).stack ?? String(err) });
    }
  });
  // The parent going away takes the worker with it.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

export interface AppServer {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Set when the process ended without being asked to: its exit code or signal. */
  died(): string | null;
  stop(): Promise<void>;
}

/**
 * Starts the real server, `node --import tsx server/main.ts`, as its own
 * process, and waits for /healthz. Its output goes to `logFile`.
 */
export async function startAppServer(
  env: Record<string, string>,
  logFile: string,
  options: { profileDir?: string } = {},
): Promise<AppServer> {
  const port = await freePort();
  // With a profile directory the server writes a V8 CPU profile there when it stops.
  const profile = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'server/main.ts'], {
    // BENCH_SERVER_ROOT runs the server of another checkout (A/B comparisons); the bench itself stays here.
    cwd: process.env.BENCH_SERVER_ROOT || ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMITS: 'off',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const out = createWriteStream(logFile, { flags: 'a' });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`server exited with ${child.exitCode}; see ${logFile}:\n${tail(logFile)}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become ready within 60 s; see ${logFile}`);
    }
    await sleep(100);
  }
  let stopping = false;
  let death: string | null = null;
  child.once('exit', (code, signal) => {
    if (!stopping) death = `exited with ${signal ?? code}`;
  });
  return {
    url,
    port,
    pid: child.pid!,
    child,
    logFile,
    died: () => death,
    stop: () => {
      stopping = true;
      return stopChild(child, 15_000);
    },
  };
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(
      new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'),
    );
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resident memory of a process now, in bytes. */
export function rss(pid: number): number | null {
  return statusField(pid, 'VmRSS');
}

/**
 * Peak resident memory of a process over a stretch of time: resets the
 * kernel's high-water mark (`clear_refs` 5) at the start and reads VmHWM at
 * the end, and polls VmRSS meanwhile in case the reset is not allowed.
 */
export class PeakRss {
  private max = 0;
  private timer: NodeJS.Timeout;
  private resetWorked = false;
  constructor(private readonly pid: number) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
      this.resetWorked = true;
    } catch {
      // not permitted: fall back to polling alone
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }
  private sample(): void {
    this.max = Math.max(this.max, rss(this.pid) ?? 0);
  }
  /** Stops sampling; the peak in bytes. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    const hwm = this.resetWorked ? (statusField(this.pid, 'VmHWM') ?? 0) : 0;
    return Math.max(this.max, hwm);
  }
}

/** CPU time (user + system) a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by the Postgres backends serving `database` (their
 * process title names it), so other databases on the same server do not count.
 * A backend that exits between two readings takes its time with it.
 */
export function postgresCpuSeconds(database: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!title.includes(` ${database} `)) continue;
      total += cpuSeconds(Number(pid)) ?? 0;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
