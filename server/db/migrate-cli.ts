import { loadConfig } from '../config';
import { openDatabase } from './database';
import { migrateToLatest } from './migrate';

// `npm run migrate`: the same migrations the server runs at start-up.
const config = loadConfig();
const database = await openDatabase(
  config.databaseUrl
    ? {
        kind: 'postgres',
        connectionString: config.databaseUrl,
        preparedStatements: config.preparedStatements,
      }
    : { kind: 'pglite', dataDir: `${config.dataDir}/pglite` },
);
try {
  const applied = await migrateToLatest(database.db);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
} finally {
  await database.close();
}
