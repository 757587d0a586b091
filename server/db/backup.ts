import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { DatabaseTarget } from './database';

/*
 * Backups of either database. Postgres: `pg_dump --format=custom` and
 * `pg_restore`, which take a consistent snapshot while the server runs. The
 * embedded database: PGlite's own `dumpDataDir`, a gzipped tarball of its data
 * directory, taken with the database open in this process alone, so the
 * server must be stopped first (PGlite is one process's database).
 */

/** Thrown for a refusal the operator can act on; the command line prints only its message. */
export class BackupError extends Error {}

/** Writes a backup of `target` to `file`. */
export async function backupDatabase(target: DatabaseTarget, file: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  if (target.kind === 'postgres') {
    const { dbname, env } = withoutPassword(target.connectionString);
    await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, dbname], env);
    return;
  }
  if (!target.dataDir || !existsSync(target.dataDir))
    throw new BackupError(`no embedded database at ${target.dataDir}`);
  const db = await PGlite.create(target.dataDir);
  try {
    const dump = await db.dumpDataDir('gzip');
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await db.close();
  }
}

/**
 * Restores `file` into `target`, which must be empty unless `replace` is set
 * (then what is there is dropped first). Postgres restores into an existing
 * database; the embedded one into a data directory it creates.
 */
export async function restoreDatabase(target: DatabaseTarget, file: string, replace = false): Promise<void> {
  if (!existsSync(file)) throw new BackupError(`no backup at ${file}`);
  if (target.kind === 'postgres') {
    const used = await hasTables(target.connectionString);
    if (used && !replace) {
      throw new BackupError('the database already has tables: restore into an empty one, or pass --replace');
    }
    const { dbname, env } = withoutPassword(target.connectionString);
    await run(
      'pg_restore',
      [
        '--no-owner',
        '--no-privileges',
        '--exit-on-error',
        '--single-transaction',
        ...(used ? ['--clean', '--if-exists'] : []),
        `--dbname=${dbname}`,
        file,
      ],
      env,
    );
    return;
  }
  if (!target.dataDir) throw new BackupError('the embedded database needs a data directory to restore into');
  const dir = target.dataDir;
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!replace)
      throw new BackupError(`${dir} is not empty: stop the server and pass --replace, or restore elsewhere`);
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  const archive = new Blob([await readFile(file)]);
  const db = await PGlite.create(dir, { loadDataDir: archive });
  await db.close();
}

async function hasTables(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select count(*)::int as n from information_schema.tables where table_schema = current_schema()`,
    );
    return rows[0].n > 0;
  } finally {
    await client.end();
  }
}

/** The connection string without its password, which goes in PGPASSWORD: arguments are visible in `ps`. */
function withoutPassword(connectionString: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const url = new URL(connectionString);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { dbname: url.toString(), env: password ? { ...process.env, PGPASSWORD: password } : process.env };
}

/** Runs a Postgres client program; its standard error becomes the message when it fails. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (err) =>
      reject(
        new BackupError(`${command} could not start (${err.message}): install the PostgreSQL client tools`),
      ),
    );
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new BackupError(`${command} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}
