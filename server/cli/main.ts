import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { loadConfig } from '../config';
import { BackupError, backupDatabase, restoreDatabase } from '../db/backup';
import type { DatabaseTarget } from '../db/database';
import type { Role } from '../db/schema';
import { verifyDecisionFile } from '../domain/decision-record';
import { AppError } from '../errors';
import context from '../plugins/context';
import {
  createUserAccount,
  listGroupSummaries,
  outboxSummary,
  passwordResetLinkFor,
  resendFailedEmails,
  setRoleByEmail,
} from '../services/admin';
import type { Ctx } from '../services/context';
import { archiveStream, exportGroup, groupByIdOrName } from '../services/group-export';
import { importGroup, readArchiveFile } from '../services/group-import';

const USAGE = `Usage: plenary <command> [options]   (npm run plenary -- <command> …)

Accounts and groups
  create-user --email <address> --name <name> [--password <password>]
                         without --password, prints a link for its owner to choose one
  reset-password <email> prints a link to choose a new password (works once, for an hour)
  make-facilitator <group id or name> <email>
  make-member <group id or name> <email>
  groups                 every group with its size and last activity

Email
  outbox                 mail waiting, sent, logged and failed; the latest failures
  resend-failed          queues every email that failed for good again

Decisions
  verify <file>          counts a decision record (GET /proposals/:id/record) or a group's chain
                         (GET /groups/:id/record) again and checks its hashes, from the file alone

Data
  backup <file>          Postgres: pg_dump; embedded: a copy of ./data (stop the server first)
  restore <file> [--replace]
                         into an empty database, or over the current one with --replace
  export <group id or name> <file>
                         the whole group as one JSON file, its files included
                         (as GET /groups/:id/export)
  import <file> [--as <email>] [--again]
                         loads a group exported from any instance as a new group: members with
                         an account here (by email) join with their role, the others are invited
                         by email; --as names the account that leads it (default: the first of
                         its facilitators with an account here); --again imports a group that
                         was imported here before as a second one. Its files count against
                         ATTACHMENT_QUOTA_MB: an archive whose files do not fit is refused

The database is the server's: DATABASE_URL, else the embedded one under DATA_DIR.
`;

/** Where the command line writes (a test reads it). */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** What one command prints: lines of text, or a value printed as JSON with --json. */
type Output = { text: string; json: unknown };

async function withContext<T>(env: NodeJS.ProcessEnv, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  // The server's own start-up (database, migrations, event bus), so changes reach running servers.
  const app = Fastify({ logger: false, pluginTimeout: 120_000 });
  await app.register(context, { config: loadConfig(env) });
  await app.ready();
  try {
    return await fn(app.ctx);
  } finally {
    await app.close();
  }
}

function databaseTarget(env: NodeJS.ProcessEnv): DatabaseTarget {
  const config = loadConfig(env);
  return config.databaseUrl
    ? { kind: 'postgres', connectionString: config.databaseUrl }
    : { kind: 'pglite', dataDir: `${config.dataDir}/pglite` };
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

class UsageError extends Error {}

async function runCommand(
  env: NodeJS.ProcessEnv,
  command: string,
  positionals: string[],
  values: Record<string, unknown>,
): Promise<Output> {
  const str = (key: string) => values[key] as string | undefined;
  switch (command) {
    case 'create-user': {
      const password = str('password');
      const created = await withContext(env, (ctx) =>
        createUserAccount(ctx, {
          email: need(str('email'), '--email'),
          name: need(str('name'), '--name'),
          ...(password !== undefined ? { password } : {}),
        }),
      );
      const lines = [`Created ${created.email} (@${created.handle}, ${created.id}).`];
      if (created.resetUrl)
        lines.push(`They choose a password here (once, within an hour): ${created.resetUrl}`);
      return { text: lines.join('\n'), json: created };
    }
    case 'reset-password': {
      const url = await withContext(env, (ctx) =>
        passwordResetLinkFor(ctx, need(positionals[0], 'an email')),
      );
      return { text: `A new password can be chosen here (once, within an hour):\n${url}`, json: { url } };
    }
    case 'make-facilitator':
    case 'make-member': {
      const role: Role = command === 'make-facilitator' ? 'facilitator' : 'member';
      const group = need(positionals[0], 'a group id or name');
      const email = need(positionals[1], 'an email');
      const result = await withContext(env, (ctx) => setRoleByEmail(ctx, { group, email, role }));
      return {
        text: result.changed ? `${email} is now a ${role} of the group.` : `${email} already was a ${role}.`,
        json: result,
      };
    }
    case 'groups': {
      const groups = await withContext(env, listGroupSummaries);
      const text = groups.length
        ? groups
            .map(
              (g) =>
                `${g.id}  ${g.name}\n    ${g.members} members (${g.facilitators} facilitators), ${g.threads} threads, ` +
                `${g.openProposals} open proposals, last active ${g.lastActivityAt ?? 'never'}`,
            )
            .join('\n')
        : 'No groups yet.';
      return { text, json: groups };
    }
    case 'outbox': {
      const s = await withContext(env, outboxSummary);
      const lines = [`queued ${s.queued} · sent ${s.sent} · logged ${s.logged} · failed ${s.failed}`];
      for (const f of s.recentFailures) {
        lines.push(`  ${f.failedAt}  ${f.kind} to ${f.recipient}: ${f.error ?? 'no error recorded'}`);
      }
      return { text: lines.join('\n'), json: s };
    }
    case 'resend-failed': {
      const n = await withContext(env, resendFailedEmails);
      return { text: `Queued ${n} failed email${n === 1 ? '' : 's'} again.`, json: { queued: n } };
    }
    case 'backup': {
      const file = need(positionals[0], 'a file to write');
      await backupDatabase(databaseTarget(env), file);
      return { text: `Backed up to ${file}.`, json: { file } };
    }
    case 'restore': {
      const file = need(positionals[0], 'a backup file');
      await restoreDatabase(databaseTarget(env), file, values.replace === true);
      return { text: `Restored from ${file}.`, json: { file } };
    }
    case 'export': {
      const group = need(positionals[0], 'a group id or name');
      const file = need(positionals[1], 'a file to write');
      // Written as it is read: the files' bytes one at a time, never the whole archive in memory.
      const exported = await withContext(env, async (ctx) => {
        const exported = await exportGroup(ctx, (await groupByIdOrName(ctx, group)).id);
        await pipeline(archiveStream(ctx, exported, { pretty: true }), createWriteStream(file));
        return exported;
      });
      const { archive, attachments } = exported;
      const files = attachments.length ? `, ${attachments.length} files` : '';
      return {
        text: `Exported ${archive.group.name} (${archive.members.length} members, ${archive.threads.length} threads${files}) to ${file}.`,
        json: { file, groupId: archive.sourceGroupId },
      };
    }
    case 'import': {
      const file = need(positionals[0], 'an archive file');
      // Checked whole before the database is even opened: a bad file changes nothing. Read in pieces,
      // its files' bytes one at a time, and read again so inside the import's transaction.
      const { archive, attachmentData } = await readArchiveFile(file);
      const as = str('as');
      const summary = await withContext(env, (ctx) =>
        importGroup(
          ctx,
          archive,
          { ...(as !== undefined ? { as } : {}), again: values.again === true },
          attachmentData,
        ),
      );
      const c = summary.counts;
      const lines = [
        `Imported ${summary.name} as ${summary.groupId}: ${c.threads} threads, ${c.comments} comments, ` +
          `${c.proposals} proposals, ${c.votes} votes, ${c.attachments} files.`,
        `Members (matched by email): ${summary.members.map((m) => `${m.email} (${m.role})`).join(', ')}`,
      ];
      if (summary.invited.length) lines.push(`Invited by email: ${summary.invited.join(', ')}`);
      if (summary.accountsCreated.length) {
        lines.push(
          `Accounts made to keep their authors' names (no password yet): ${summary.accountsCreated.join(', ')}`,
        );
      }
      if (summary.closedOnImport.length) {
        lines.push(
          `Closed (anonymous, open with ballots that know no voter): ${summary.closedOnImport.join('; ')}`,
        );
      }
      if (summary.withdrawnVotes) {
        lines.push(
          `Votes withdrawn from open proposals (their voters are not members here): ${summary.withdrawnVotes}`,
        );
      }
      return { text: lines.join('\n'), json: summary };
    }
    case 'verify': {
      const file = need(positionals[0], 'a record file');
      // The file alone: no configuration, no database, no server.
      const text = await readFile(file, 'utf8').catch((err: Error) => {
        throw new AppError(400, 'validation_failed', `cannot read ${file}: ${err.message}`);
      });
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new AppError(400, 'validation_failed', `${file} is not JSON: ${(err as Error).message}`);
      }
      const report = verifyDecisionFile(parsed);
      if (report.problems.length > 0) {
        throw new AppError(
          400,
          'verification_failed',
          `${file} does not verify:\n${report.problems.map((p) => `  - ${p}`).join('\n')}`,
        );
      }
      const what = report.records === 1 ? 'the record' : `all ${report.records} records`;
      return {
        text: `OK: ${what} count to the results stated and hash as sealed; newest hash ${report.lastHash}`,
        json: report,
      };
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  }
}

/** Runs the command line with the server's configuration from `env`; returns the exit code (0 done, 1 refused or failed, 2 misused). */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CommandIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        password: { type: 'string' },
        replace: { type: 'boolean' },
        as: { type: 'string' },
        again: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command = '', ...positionals] = parsed.positionals;
  if (parsed.values.help || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  try {
    const output = await runCommand(env, command, positionals, parsed.values);
    io.out(`${parsed.values.json ? JSON.stringify(output.json, null, 2) : output.text}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`plenary: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof AppError) {
      const details = (err.details ?? []).map((d) => ` (${d.path} ${d.message})`).join('');
      io.err(`plenary: ${err.message}${details}\n`);
      return 1;
    }
    if (err instanceof BackupError) {
      io.err(`plenary: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
