import closeWithGrace from 'close-with-grace';
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { INSECURE_TEST_HASHING } from './services/passwords';

// Listens and shuts down gracefully; everything else is in app.ts.
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

const app = await buildApp({ config });
if (INSECURE_TEST_HASHING) {
  app.log.warn(
    'PLENARY_INSECURE_FAST_PASSWORD_HASHING_FOR_TESTS is set: new passwords are hashed weakly. Never set it outside the test suite.',
  );
}

closeWithGrace({ delay: 10_000 }, async ({ err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error');
  await app.close();
});

await app.listen({ port: config.port, host: config.host });
app.log.info(
  `Plenary is ready on ${config.publicUrl ?? `http://localhost:${config.port}`} (${config.databaseUrl ? 'Postgres' : `embedded database in ${config.dataDir}`})`,
);
