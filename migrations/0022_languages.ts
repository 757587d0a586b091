import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here.

/** What this migration does, as `npm run migrate` lists it. */
export const description = 'Languages: a member’s chosen language and the one their browser last asked for.';

/**
 * `locale`: the language the member chose in their settings; null follows
 * their browser. `browser_locale`: the best language their browser asked for
 * (`Accept-Language`) when they last signed up or in, so that emails, which
 * have no browser to ask, speak it too.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const tag = (column: string) => sql.raw(`${column} ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'`);
  await db.schema
    .alterTable('users')
    .addColumn('locale', 'text', (c) => c.check(tag('locale')))
    .addColumn('browser_locale', 'text', (c) => c.check(tag('browser_locale')))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('locale').dropColumn('browser_locale').execute();
}
