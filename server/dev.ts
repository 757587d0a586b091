import { fileURLToPath } from 'node:url';
import closeWithGrace from 'close-with-grace';
import { createServer } from 'vite';
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';

// `npm run dev`: the API (without the built client) and Vite's dev server in
// one process. Open the Vite URL; it proxies /api, the websocket included.
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(); // PORT defaults to 3000, which vite.config.ts proxies to
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Configuration error: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

const app = await buildApp({ config, serveClient: false });
await app.listen({ port: config.port, host: config.host });
const apiUrl = `http://localhost:${config.port}`;

const vite = await createServer({
  // vite.config.ts sets the root and the proxy; only the API's port may differ here.
  configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
  server: { port: 5173, proxy: { '/api': { target: apiUrl, ws: true } } },
});
await vite.listen();

closeWithGrace({ delay: 10_000 }, async ({ err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error');
  await vite.close();
  await app.close();
});

const webUrl = vite.resolvedUrls?.local[0] ?? 'http://localhost:5173/';
console.log(`\n  Plenary web client (open this):  ${webUrl}`);
console.log(`  Plenary API:                     ${apiUrl}/api/v1  (docs: ${apiUrl}/api/docs)`);
console.log(`  Database: ${config.databaseUrl ? 'Postgres' : `embedded, in ${config.dataDir}`}\n`);
