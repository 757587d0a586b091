import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

/** Everything the server reads from its environment, validated once at start. */
export interface Config {
  port: number;
  host: string;
  /** Unset: the embedded database (PGlite) under `dataDir`. */
  databaseUrl: string | null;
  /** Let Postgres keep each connection's parsed, planned statements (off behind an old PgBouncer). */
  preparedStatements: boolean;
  /** Connections each process's query pool may open (the event bus's LISTEN connection is extra). */
  databasePoolSize: number;
  dataDir: string;
  /** Where people reach the app; decides the CSRF origin, invitation links and secure cookies. */
  publicUrl: string | null;
  sessionSecret: string;
  logLevel: string;
  rateLimits: boolean;
  /** How often each process looks for proposals past their closing time. */
  closeCheckSeconds: number;
  /**
   * Whose X-Forwarded-For to believe (Fastify's `trustProxy`): false, true
   * (every hop), a number of hops, or proxy addresses and CIDR ranges.
   */
  trustProxy: boolean | number | string[];
  /** Where mail goes (smtp:// or smtps://); unset: mail stays in the outbox and is written to the log. */
  smtpUrl: string | null;
  /** The From of every email. */
  emailFrom: string;
  /** Whether this process sends the outbox (several may: each message still leaves once). */
  emailWorker: boolean;
  /** How often the email worker looks for due mail, and the unit of its retry backoff. */
  emailPollMs: number;
  /** How long a claimed message is held before another process may take it over. */
  emailLeaseMs: number;
  /** How many hours before its close a proposal reminds members who have not voted. */
  reminderHours: number;
  /** Where Plenary listens for SMTP replies to its emails; null: reply by email is off. */
  inboundSmtpPort: number | null;
  /** The address that listener binds: loopback unless the MTA in front of it is on another host. */
  inboundSmtpHost: string;
  /** The domain replies are routed to (`Reply-To: reply+<token>@REPLY_DOMAIN`); null: no Reply-To. */
  replyDomain: string | null;
  /** The Bearer token that lets a scraper off loopback read `/metrics`; null: loopback only. */
  metricsToken: string | null;
  /** What carries wake-ups, presence and cache evictions between processes. */
  eventBus: EventBusConfig;
  /** Web Push: the configured VAPID keys (else the database's own pair) and who the pushes come from. */
  push: PushConfig;
  /** How many bytes of attachments each group may keep (ATTACHMENT_QUOTA_MB, default 500). */
  attachmentQuotaBytes: number;
}

export interface PushConfig {
  /** VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (base64url, P-256); null: the pair kept in the database. */
  vapidKeys: { publicKey: string; privateKey: string } | null;
  /** The VAPID `sub` push services may contact: VAPID_SUBJECT, else mailto: EMAIL_FROM's address (an https PUBLIC_URL where that is the placeholder). */
  subject: string;
  /** Accept http:// subscription endpoints (PUSH_ALLOW_HTTP=true): for tests with a local push service only. */
  allowHttp: boolean;
}

export type EventBusConfig = { kind: 'postgres' } | { kind: 'nats'; servers: string[] };

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
  const trustProxy = parseTrustProxy(env.TRUST_PROXY);
  const sessionSecret = env.SESSION_SECRET?.trim() || readOrCreateSecret(dataDir);
  const email = parseEmailConfig(env);
  if (sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET must be at least 32 characters');
  }
  const metricsToken = env.METRICS_TOKEN?.trim() || null;
  // A short token could be guessed through /metrics, which answers as fast as it can.
  if (metricsToken && !/^[\x21-\x7e]{16,200}$/.test(metricsToken)) {
    throw new ConfigError('METRICS_TOKEN must be 16 to 200 printable characters with no spaces');
  }
  const eventBus = parseEventBus(env.EVENT_BUS, databaseUrl);
  const databasePoolSize = wholeNumber(env, 'DATABASE_POOL_SIZE', '10', 1, 1000);
  const push = parsePushConfig(env, email.emailFrom, publicUrl);
  const attachmentQuotaBytes = wholeNumber(env, 'ATTACHMENT_QUOTA_MB', '500', 1, 1_000_000) * 1024 * 1024;
  return {
    port,
    host,
    databaseUrl,
    preparedStatements: preparedRaw === 'on',
    databasePoolSize,
    dataDir,
    publicUrl,
    sessionSecret,
    logLevel,
    rateLimits: rateLimitsRaw === 'on',
    closeCheckSeconds,
    trustProxy,
    ...email,
    metricsToken,
    eventBus,
    push,
    attachmentQuotaBytes,
  };
}

/** A P-256 key in base64url: 65 bytes (uncompressed point) public, 32 bytes private. */
const VAPID_KEY_LENGTH = { public: 65, private: 32 };

function parsePushConfig(env: NodeJS.ProcessEnv, emailFrom: string, publicUrl: string | null): PushConfig {
  const publicKey = env.VAPID_PUBLIC_KEY?.trim() || null;
  const privateKey = env.VAPID_PRIVATE_KEY?.trim() || null;
  if ((publicKey === null) !== (privateKey === null)) {
    throw new ConfigError('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must be set together (or neither)');
  }
  if (publicKey && privateKey) {
    for (const [name, value, bytes] of [
      ['VAPID_PUBLIC_KEY', publicKey, VAPID_KEY_LENGTH.public],
      ['VAPID_PRIVATE_KEY', privateKey, VAPID_KEY_LENGTH.private],
    ] as const) {
      if (!/^[A-Za-z0-9_-]+$/.test(value) || Buffer.from(value, 'base64url').length !== bytes) {
        throw new ConfigError(
          `${name} must be a base64url P-256 key of ${bytes} bytes (npx web-push generate-vapid-keys makes a pair)`,
        );
      }
    }
  }
  // A push service writes here when this server's pushes misbehave: the sender's address, unless that
  // is the placeholder and the site has an https address (push services take only mailto: and https:).
  const sender = emailFrom.match(/<([^<>]+)>$/)?.[1] ?? emailFrom;
  const subject =
    env.VAPID_SUBJECT?.trim() ||
    (sender.endsWith('@localhost') && publicUrl?.startsWith('https://') ? publicUrl : `mailto:${sender}`);
  if (!/^(mailto:|https:\/\/)\S+$/.test(subject)) {
    throw new ConfigError(`VAPID_SUBJECT must be a mailto: or https:// URL (got "${env.VAPID_SUBJECT}")`);
  }
  const allowHttpRaw = (env.PUSH_ALLOW_HTTP ?? 'false').trim().toLowerCase();
  if (!['true', 'false'].includes(allowHttpRaw)) {
    throw new ConfigError(`PUSH_ALLOW_HTTP must be "true" or "false" (got "${env.PUSH_ALLOW_HTTP}")`);
  }
  return {
    vapidKeys: publicKey && privateKey ? { publicKey, privateKey } : null,
    subject,
    allowHttp: allowHttpRaw === 'true',
  };
}

/** `postgres` (the default: `LISTEN/NOTIFY`) or `nats://host:port`, several separated by commas. */
function parseEventBus(raw: string | undefined, databaseUrl: string | null): EventBusConfig {
  const value = raw?.trim() || 'postgres';
  if (value === 'postgres') return { kind: 'postgres' };
  const servers = value.split(',').map((s) => s.trim());
  const valid = servers.every((server) => {
    try {
      const url = new URL(server);
      return ['nats:', 'tls:'].includes(url.protocol) && url.hostname !== '';
    } catch {
      return false;
    }
  });
  if (!valid) {
    throw new ConfigError(
      `EVENT_BUS must be "postgres" or nats://host:port, several separated by commas (got "${raw}")`,
    );
  }
  if (!databaseUrl) {
    // The embedded database lives inside one process: there is nobody to signal.
    throw new ConfigError('EVENT_BUS=nats://… needs DATABASE_URL: the embedded database serves one process');
  }
  return { kind: 'nats', servers };
}

function parseEmailConfig(env: NodeJS.ProcessEnv) {
  const smtpUrl = env.SMTP_URL?.trim() || null;
  if (smtpUrl) {
    let url: URL | null = null;
    try {
      url = new URL(smtpUrl);
    } catch {
      // reported below
    }
    if (!url || !['smtp:', 'smtps:'].includes(url.protocol) || !url.hostname) {
      throw new ConfigError(
        'SMTP_URL must look like smtp://user:pass@host:port or smtps://… (got an invalid URL)',
      );
    }
  }
  const emailFrom = env.EMAIL_FROM?.trim() || 'Plenary <plenary@localhost>';
  if (!/^[^<>@\s]+@[^<>@\s]+$|<[^<>@\s]+@[^<>@\s]+>$/.test(emailFrom)) {
    throw new ConfigError(
      `EMAIL_FROM must be an address, optionally with a name: "Name <a@b>" (got "${emailFrom}")`,
    );
  }
  const workerRaw = (env.EMAIL_WORKER ?? 'on').trim().toLowerCase();
  if (!['on', 'off'].includes(workerRaw)) {
    throw new ConfigError(`EMAIL_WORKER must be "on" or "off" (got "${env.EMAIL_WORKER}")`);
  }
  const emailPollMs = wholeNumber(env, 'EMAIL_POLL_MS', '5000', 10, 600_000);
  const emailLeaseMs = wholeNumber(env, 'EMAIL_LEASE_MS', '120000', 100, 3_600_000);
  const reminderHours = wholeNumber(env, 'REMINDER_HOURS', '24', 1, 24 * 30);
  const inboundSmtpPort = env.INBOUND_SMTP_PORT?.trim()
    ? wholeNumber(env, 'INBOUND_SMTP_PORT', '', 0, 65535)
    : null;
  const inboundSmtpHost = env.INBOUND_SMTP_HOST?.trim() || '127.0.0.1';
  const replyDomain = env.REPLY_DOMAIN?.trim().toLowerCase() || null;
  if (
    replyDomain &&
    !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(
      replyDomain,
    )
  ) {
    throw new ConfigError(
      `REPLY_DOMAIN must be a domain name such as reply.example.org (got "${env.REPLY_DOMAIN}")`,
    );
  }
  return {
    smtpUrl,
    emailFrom,
    emailWorker: workerRaw === 'on',
    emailPollMs,
    emailLeaseMs,
    reminderHours,
    inboundSmtpPort,
    inboundSmtpHost,
    replyDomain,
  };
}

function wholeNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: string,
  min: number,
  max: number,
): number {
  const raw = (env[name] ?? fallback).trim();
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${env[name]}")`);
  }
  return value;
}

/**
 * The config's `trustProxy` as Fastify takes it. Fastify reads a bare hop count
 * as "trust no one" (it cannot tell the proxy from a client that connects
 * directly), so a count becomes a function trusting that many hops, as Express
 * does: right only when clients cannot bypass the proxies.
 */
export function fastifyTrustProxy(
  trust: Config['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/** The names proxy-addr (under Fastify) knows for whole ranges. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: unset or "false" trusts no one (clients are who connects);
 * "true" every hop; a whole number that many hops; else a comma-separated
 * list of proxy addresses and CIDR ranges.
 */
function parseTrustProxy(raw: string | undefined): boolean | number | string[] {
  const value = raw?.trim() ?? '';
  if (value === '' || value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > 100)
      throw new ConfigError(`TRUST_PROXY hop count must be 1 to 100 (got "${raw}")`);
    return hops;
  }
  const entries = value.split(',').map((e) => e.trim());
  for (const entry of entries) {
    if (!isProxyAddress(entry)) {
      throw new ConfigError(
        `TRUST_PROXY must be "true", a hop count, or a comma-separated list of addresses and CIDR ranges (got "${entry}" in "${raw}")`,
      );
    }
  }
  return entries;
}

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
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
