// The reading baseline: a bare Fastify server (no auth, no database, no
// schema) answering the timeline path with the same JSON the app answered,
// kept in memory as an object and serialised on every request as the app must.
import Fastify from 'fastify';
import { serveCommands } from '../lib/procs';

let app: ReturnType<typeof Fastify> | null = null;

serveCommands({
  async start(args) {
    const body = JSON.parse(args.json as string);
    app = Fastify({ logger: false });
    app.get('/api/v1/threads/:id/timeline', async () => body);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as { port: number };
    return { port: address.port, pid: process.pid };
  },
  async stop() {
    await app?.close();
    return true;
  },
});
