import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Everything the server reads from its environment, validated once at start. */
export interface Config {
  port: number;
  host: string;
  /** Unset: the embedded database (PGlite) under `dataDir`. */
  databaseUrl: string | null;
  /** Let Postgres keep each connection's parsed, planned statements (off behind an old PgBouncer). */
  preparedStatements: boolean;
  dataDir: string;
  /** Where people reach the app; decides the CSRF origin, invitation links and secure cookies. */
  publicUrl: string | null;
  sessionSecret: string;
  logLevel: string;
  rateLimits: boolean;
  /** How often each process looks for proposals past their closing time. */
  closeCheckSeconds: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and checks the environment; throws a ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = parsePort(env.PORT ?? '3000');
  const host = env.HOST?.trim() || '0.0.0.0';
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// (got "${databaseUrl}")`);
  }
  const preparedRaw = (env.DATABASE_PREPARED_STATEMENTS ?? 'on').trim().toLowerCase();
  if (!['on', 'off'].includes(preparedRaw)) {
    throw new ConfigError(
      `DATABASE_PREPARED_STATEMENTS must be "on" or "off" (got "${env.DATABASE_PREPARED_STATEMENTS}")`,
    );
  }
  const dataDir = path.resolve(env.DATA_DIR?.trim() || './data');
  const publicUrl = parsePublicUrl(env.PUBLIC_URL);
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const rateLimitsRaw = (env.RATE_LIMITS ?? 'on').trim().toLowerCase();
  if (!['on', 'off'].includes(rateLimitsRaw)) {
    throw new ConfigError(`RATE_LIMITS must be "on" or "off" (got "${env.RATE_LIMITS}")`);
  }
  const closeCheckRaw = (env.CLOSE_CHECK_SECONDS ?? '15').trim();
  const closeCheckSeconds = Number(closeCheckRaw);
  if (!/^\d+$/.test(closeCheckRaw) || closeCheckSeconds < 1 || closeCheckSeconds > 60) {
    throw new ConfigError(
      `CLOSE_CHECK_SECONDS must be a whole number from 1 to 60 (got "${env.CLOSE_CHECK_SECONDS}")`,
    );
  }
  const sessionSecret = env.SESSION_SECRET?.trim() || readOrCreateSecret(dataDir);
  if (sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET must be at least 32 characters');
  }
  return {
    port,
    host,
    databaseUrl,
    preparedStatements: preparedRaw === 'on',
    dataDir,
    publicUrl,
    sessionSecret,
    logLevel,
    rateLimits: rateLimitsRaw === 'on',
    closeCheckSeconds,
  };
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535 (got "${raw}")`);
  }
  return port;
}

function parsePublicUrl(raw: string | undefined): string | null {
  if (!raw?.trim()) return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_URL must use http or https (got "${raw}")`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** A secret generated on first start and kept beside the data, so sessions survive restarts. */
function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}
