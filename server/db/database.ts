import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type DatabaseConnection, type Driver, Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { DB } from './schema';

/** Where the data lives: a Postgres server, or embedded Postgres on disk or in memory. */
export type DatabaseTarget =
  | {
      kind: 'postgres';
      connectionString: string;
      poolSize?: number;
      /** Name statements so each connection parses and plans them once (default true). */
      preparedStatements?: boolean;
    }
  | {
      kind: 'pglite';
      dataDir: string | null;
      /** A dump (`dumpDataDir()`) to start an in-memory database from instead of an empty one (tests). */
      loadDataDir?: Blob;
    };

/** One open database: the Kysely handle plus what the event bus needs to listen. */
export interface Database {
  db: Kysely<DB>;
  /**
   * Statements that must reach the database in the order they were sent:
   * on Postgres, one connection of its own, taken by each statement in turn
   * (a pool of one hands it on first come, first served); on PGlite, `db`,
   * whose one connection already works that way. Vote batches written from a
   * copy go through it, each expecting the version the one before leaves.
   */
  inOrder: Kysely<DB>;
  target: DatabaseTarget;
  /** The embedded instance (PGlite only): LISTEN goes straight to it. */
  pglite: PGlite | null;
  /**
   * Queries waiting for a connection right now: the pool's queue on Postgres;
   * on PGlite, those queued for its one connection (or for their turn of the
   * event loop, see YieldingPGliteDialect).
   */
  waitingForConnection(): number;
  close(): Promise<void>;
}

/** Statements with more parameters than this stay unnamed; see `PreparingClient`. */
const MAX_NAMED_PARAMETERS = 8;

/**
 * A `pg` client that gives each statement with a few parameters a name (a
 * hash of its text), so Postgres parses and plans it once per connection and
 * then only binds and runs it. For the hot reads that is most of their cost:
 * the timeline's access check went from 0.13 to 0.04 ms of Postgres CPU.
 * Statements with more parameters (Kysely writes `in ($1, …, $n)` and bulk
 * inserts out in full) stay unnamed: every length would be a statement of its
 * own, kept for the connection's life.
 */
class PreparingClient extends pg.Client {
  // pg's query() has many overloads; only (text, values[, callback]) is named.
  override query(...args: unknown[]): never {
    const [text, values, callback] = args;
    if (
      typeof text === 'string' &&
      Array.isArray(values) &&
      values.length > 0 &&
      values.length <= MAX_NAMED_PARAMETERS
    ) {
      const name = createHash('sha1').update(text).digest('base64url');
      return (super.query as (...a: unknown[]) => never)({ name, text, values }, callback);
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/** Opens Kysely on real Postgres (pooled `pg`) or on PGlite; both run the same SQL. */
export async function openDatabase(
  target: DatabaseTarget,
  onPoolError: (err: Error) => void = () => {},
): Promise<Database> {
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: target.connectionString,
      max: target.poolSize ?? 10,
      ...(target.preparedStatements === false ? {} : { Client: PreparingClient }),
    });
    // An idle client losing its server (a database restart) must not take the process down.
    pool.on('error', onPoolError);
    // Nor one checked out between two statements of a transaction: pg-pool listens only to idle
    // clients, and an 'error' nobody hears is an uncaught exception (brianc/node-postgres#2762).
    // Its next statement fails, its request answers 500, and the pool drops it on release.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const orderedPool = new pg.Pool({
      connectionString: target.connectionString,
      max: 1,
      ...(target.preparedStatements === false ? {} : { Client: PreparingClient }),
    });
    orderedPool.on('error', onPoolError);
    orderedPool.on('connect', (client) => client.on('error', () => {}));
    const inOrder = new Kysely<DB>({ dialect: new PostgresDialect({ pool: orderedPool }) });
    return {
      db,
      inOrder,
      target,
      pglite: null,
      waitingForConnection: () => pool.waitingCount + orderedPool.waitingCount,
      close: async () => {
        await Promise.all([db.destroy(), inOrder.destroy()]);
      },
    };
  }
  let dataDir: string | undefined;
  if (target.dataDir) {
    dataDir = path.resolve(target.dataDir);
    mkdirSync(path.dirname(dataDir), { recursive: true });
  }
  const pglite = await PGlite.create(dataDir, target.loadDataDir ? { loadDataDir: target.loadDataDir } : {});
  const dialect = new YieldingPGliteDialect(pglite);
  const db = new Kysely<DB>({ dialect });
  return {
    db,
    inOrder: db,
    target,
    pglite,
    waitingForConnection: () => dialect.waiting,
    close: () => db.destroy(),
  };
}

/** Statements run back to back for at most this long before the event loop gets a turn. */
const PGLITE_YIELD_AFTER_MS = 50;

/**
 * PGlite runs each statement on this thread, and hands its one connection
 * from one waiting statement to the next in promise callbacks: under load a
 * queue of them could keep the event loop from ever turning, and each turn
 * is when Node.js accepts one new connection and fires timers. Seen in the
 * soak: 200 busy members kept new connections waiting in the listen queue for
 * two minutes. Every PGLITE_YIELD_AFTER_MS the next statement waits for a turn.
 */
class YieldingPGliteDialect extends PGliteDialect {
  /** Acquisitions not yet granted: the queue `/metrics` reports as pool waits. */
  waiting = 0;

  override createDriver(): Driver {
    const inner = super.createDriver();
    let lastTurn = performance.now();
    return {
      init: () => inner.init(),
      acquireConnection: async (): Promise<DatabaseConnection> => {
        this.waiting += 1;
        try {
          const connection = await inner.acquireConnection();
          if (performance.now() - lastTurn > PGLITE_YIELD_AFTER_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            lastTurn = performance.now();
          }
          return connection;
        } finally {
          this.waiting -= 1;
        }
      },
      beginTransaction: (connection, settings) => inner.beginTransaction(connection, settings),
      commitTransaction: (connection) => inner.commitTransaction(connection),
      rollbackTransaction: (connection) => inner.rollbackTransaction(connection),
      releaseConnection: (connection) => inner.releaseConnection(connection),
      destroy: () => inner.destroy(),
    };
  }
}

/** True when the database answers a trivial query. */
export async function isDatabaseReady(db: Kysely<DB>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/**
 * A short name for this database that every process connected to it computes
 * alike and that another cluster, or another database on this one, does not
 * share: the NATS subjects are named after it.
 */
export async function databaseIdentity(db: Kysely<DB>): Promise<string> {
  const { rows } = await sql<{ identity: string }>`
    select left(md5(s.system_identifier::text || '/' || current_database()), 16) as identity
    from pg_control_system() s`.execute(db);
  return rows[0]!.identity;
}
