import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../server/config';

/**
 * docker-compose.yml, ops/Caddyfile and the Dockerfile, read as Docker would
 * read them (Docker itself does not run here): the topology
 * test/deploy/proxy.test.ts exercises with real processes.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | null> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  ports?: (string | { published?: string | number; target?: number })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
}

// `merge`: the app replicas share one definition through `<<: *app`, as Compose allows.
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
/** The replicas: the services built from this repository's Dockerfile. */
const appNames = Object.keys(services).filter((name) => services[name]!.build !== undefined);

/**
 * Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}` substitution, as
 * `docker compose` applies it against `shell`; throws where Compose would
 * refuse to start.
 */
function interpolate(value: string, shell: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$(.)/g,
    (all, name, op, arg, stray) => {
      if (all === '$$') return '$';
      if (stray !== undefined) throw new Error(`unsupported substitution "${all}" in "${value}"`);
      const set = shell[name];
      const present = op?.startsWith(':') ? Boolean(set) : set !== undefined;
      if (present || !op) return set ?? '';
      if (op.endsWith('-')) return arg;
      throw new Error(`${name}: ${arg}`);
    },
  );
}

/** A service's environment as its container would see it. */
function environmentOf(service: Service, shell: Record<string, string>): Record<string, string> {
  const raw = service.environment ?? {};
  const entries = Array.isArray(raw)
    ? raw.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string])
    : Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)] as [string, string]);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v, shell)]));
}

const SHELL = { SESSION_SECRET: 'a-session-secret-of-forty-characters-000' };
const appEnvironment = () => environmentOf(services[appNames[0]!]!, SHELL);

function dependsOn(service: Service): Record<string, string | undefined> {
  const raw = service.depends_on ?? [];
  return Array.isArray(raw)
    ? Object.fromEntries(raw.map((name) => [name, undefined]))
    : Object.fromEntries(Object.entries(raw).map(([name, d]) => [name, d.condition]));
}

describe('docker-compose.yml', () => {
  test('runs Postgres 16, NATS, two or more replicas of the app and Caddy', () => {
    expect(services.db?.image).toMatch(/^postgres:16(\b|$)/);
    expect(services.nats?.image).toMatch(/^nats:2(\b|$)/);
    expect(services.nats?.command).toContain('-js');
    expect(services.caddy?.image).toMatch(/^caddy:2(\b|$)/);
    expect(appNames.length).toBeGreaterThanOrEqual(2);
    // Replicas: one definition, so they cannot drift apart.
    const [first, ...others] = appNames.map((name) => {
      const { build, environment, healthcheck, depends_on } = services[name]!;
      return { build, environment, healthcheck, depends_on };
    });
    for (const other of others) expect(other).toEqual(first);
  });

  test('every service but Caddy has a health check, and each waits for what it needs to be healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'caddy') continue;
      expect(service.healthcheck?.test, `${name} has no health check`).toBeTruthy();
      expect(service.healthcheck?.disable, name).not.toBe(true);
    }
    for (const name of appNames) {
      expect(dependsOn(services[name]!), name).toMatchObject({
        db: 'service_healthy',
        nats: 'service_healthy',
      });
      // The image has no curl; the check asks /healthz with Node's own fetch.
      expect(JSON.stringify(services[name]!.healthcheck!.test)).toMatch(/node.*fetch\(.*\/healthz/);
    }
    expect(dependsOn(services.caddy!)).toEqual(
      Object.fromEntries(appNames.map((name) => [name, 'service_healthy'])),
    );
  });

  test('only Caddy publishes a port, and it is the one PUBLIC_URL names', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'caddy') expect(service.ports, `${name} publishes a port`).toBeUndefined();
    }
    const ports = services.caddy!.ports ?? [];
    expect(ports).toHaveLength(1);
    const published = typeof ports[0] === 'string' ? ports[0].split(':').at(-2) : String(ports[0]!.published);
    // Otherwise every write from a browser fails the CSRF origin check.
    expect(new URL(appEnvironment().PUBLIC_URL!).port).toBe(published);
  });

  test('the app talks to the db and nats services, trusts the proxy, and its environment passes the config check', () => {
    const env = appEnvironment();
    const database = new URL(env.DATABASE_URL!);
    expect(database.protocol).toBe('postgres:');
    expect(database.hostname).toBe('db');
    const db = environmentOf(services.db!, SHELL);
    expect(decodeURIComponent(database.username)).toBe(db.POSTGRES_USER);
    expect(decodeURIComponent(database.password)).toBe(db.POSTGRES_PASSWORD);
    expect(database.pathname).toBe(`/${db.POSTGRES_DB}`);

    const bus = new URL(env.EVENT_BUS!);
    expect(bus.protocol).toBe('nats:');
    expect(bus.hostname).toBe('nats');
    expect(bus.port).toBe('4222');

    const config = loadConfig(env);
    expect(config.eventBus).toEqual({ kind: 'nats', servers: [env.EVENT_BUS] });
    expect(config.trustProxy).not.toBe(false);
    expect(config.databaseUrl).toBe(env.DATABASE_URL);
    expect(config.sessionSecret).toBe(SHELL.SESSION_SECRET);
    expect(config.logLevel).toBe('info');
  });

  test('refuses to start without SESSION_SECRET rather than give each replica its own', () => {
    expect(() => environmentOf(services[appNames[0]!]!, {})).toThrow(/SESSION_SECRET/);
  });

  test('Caddy balances round-robin over every replica, health-checked on /readyz', () => {
    const mount = (services.caddy!.volumes ?? [])
      .map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]))
      .find(([, target]) => target === '/etc/caddy/Caddyfile');
    expect(mount, 'caddy mounts no /etc/caddy/Caddyfile').toBeDefined();
    const caddyfile = path.resolve(ROOT, mount![0]!);
    expect(existsSync(caddyfile)).toBe(true);
    const text = readFileSync(caddyfile, 'utf8').replace(/#.*$/gm, '');
    const upstreams = /reverse_proxy\s+([^{\n]*)\{/.exec(text)?.[1]?.trim().split(/\s+/);
    const port = appEnvironment().PORT;
    expect(upstreams?.sort()).toEqual(appNames.map((name) => `${name}:${port}`).sort());
    expect(text).toMatch(/^\s*lb_policy\s+round_robin\s*$/m);
    expect(text).toMatch(/^\s*health_uri\s+\/readyz\s*$/m);
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile').replace(/\\\n/g, ' ');
  const stages = text
    .split(/^FROM\s+/m)
    .slice(1)
    .map((body) => ({ name: /^\S+\s+AS\s+(\S+)/i.exec(body)?.[1], body }));
  const runtime = stages.at(-1)!.body;
  const stage = (name: string) => stages.find((s) => s.name === name)?.body ?? '';

  test('builds in stages and runs as an unprivileged user with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const user = [...runtime.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);
    // node_modules comes from a stage that installed with --omit=dev, or is installed so here.
    const from = /^COPY\s+--from=(\S+)\s+\S*node_modules/m.exec(runtime)?.[1];
    expect(from ? stage(from) : runtime).toMatch(/npm ci [^\n]*--omit=dev/);
    expect(runtime).not.toMatch(/npm (ci|install)(?![^\n]*--omit=dev)/);
    expect(runtime).toMatch(/^HEALTHCHECK\s/m);
  });

  test('the last stage holds everything the server reads at run time, none of it left out of the build context', () => {
    const copied = [...runtime.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].flatMap((m) =>
      m[1]!.trim().split(/\s+/).slice(0, -1),
    );
    for (const needed of ['server', 'shared', 'migrations', 'bin', 'package.json'])
      expect(copied).toContain(needed);
    for (const source of copied) expect(existsSync(path.join(ROOT, source)), source).toBe(true);
    // The built client comes from the stage that ran the build.
    const dist = /^COPY\s+--from=(\S+)\s+\S*dist/m.exec(runtime)?.[1];
    expect(dist && stage(dist)).toMatch(/npm run build/);
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toContain('node_modules');
    for (const source of copied)
      expect(ignored, `${source} is left out of the build context`).not.toContain(source);
  });

  test('what runs in the image imports only production dependencies', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    // The development server (npm run dev) imports Vite and never runs in the image.
    const devOnly = new Set(['server/dev.ts']);
    const missing: string[] = [];
    for (const file of ['server', 'shared', 'migrations', 'bin'].flatMap(sourceFiles)) {
      if (devOnly.has(file)) continue;
      for (const specifier of runtimeImports(read(file))) {
        if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier))
          continue;
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0]!;
        if (!(name in pkg.dependencies)) missing.push(`${file}: ${specifier}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|mts|mjs|js)$/.test(f))
    .map((f) => path.join(dir, f));
}

/** The modules a source file loads when it runs: static imports and re-exports but `import type`, and `import()`. */
function runtimeImports(source: string): string[] {
  const statics = [
    ...source.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
  ]
    .filter((m) => !m[1])
    .map((m) => m[2]!);
  const dynamic = [...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  return [...statics, ...dynamic];
}

describe('README.md', () => {
  test('"Deploying with Docker Compose" documents exactly the environment docker-compose.yml gives the app', () => {
    const readme = read('README.md');
    const section = /^## Deploying with Docker Compose\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1];
    expect(section, 'README.md has no "## Deploying with Docker Compose" section').toBeDefined();
    // The table whose first column is `variable`: every name in that column.
    const table = /^\|\s*variable\s*\|[^\n]*\n((?:\|[^\n]*\n?)*)/m.exec(section!)?.[1] ?? '';
    const documented = table
      .split('\n')
      .filter((row) => row.startsWith('|') && !/^\|\s*-/.test(row))
      .flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));
    expect(documented.length, 'no variable table in the section').toBeGreaterThan(0);
    expect(documented.sort()).toEqual(Object.keys(appEnvironment()).sort());
  });
});
