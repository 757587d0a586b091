import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './server-process';

/** Debian's PostgreSQL server binaries, when installed. */
export const PG_BIN_DIR: string | null = (() => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort().reverse();
  const found = versions
    .map((v) => path.join(root, v, 'bin'))
    .find((d) => existsSync(path.join(d, 'pg_ctl')));
  return found ?? null;
})();

/**
 * A throwaway PostgreSQL cluster of our own, so a test can stop and restart
 * the database without disturbing the shared server other tests use.
 */
export class PrivatePostgres {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'plenary-pg-'));
  readonly data = path.join(this.dir, 'data');
  port = 0;

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private command(binary: string, args: string[]): [string, string[]] {
    const cmd = path.join(PG_BIN_DIR!, binary);
    // Postgres refuses to run as root.
    return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  }

  private run(binary: string, args: string[]): void {
    execFileSync(...this.command(binary, args), { stdio: 'pipe' });
  }

  async init(): Promise<void> {
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', this.dir]);
    this.port = await freePort();
    this.run('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    this.start();
  }

  private get startArgs(): string[] {
    return [
      '-D',
      this.data,
      '-l',
      path.join(this.dir, 'log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-w',
      'start',
    ];
  }

  start(): void {
    this.run('pg_ctl', this.startArgs);
  }

  stop(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  /**
   * Stops the cluster, keeps it down `downMs`, starts it again; without
   * blocking this process, so the test's clients keep sending meanwhile.
   */
  async restart(downMs: number): Promise<void> {
    await promisify(execFile)(...this.command('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']));
    await new Promise((r) => setTimeout(r, downMs));
    await promisify(execFile)(...this.command('pg_ctl', this.startArgs));
  }

  destroy(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    execFileSync('rm', ['-rf', this.dir]);
  }
}
