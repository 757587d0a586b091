// The fan-out baseline: a bare `ws` WebSocketServer. `POST /broadcast?round=&size=`
// answers at once and, right after the answer is written, sends one frame of
// exactly `size` bytes, serialised once, to every connected socket: the same
// order of work as the app (answer the write, then fan the event out).
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { serveCommands } from '../lib/procs';

let wss: WebSocketServer | null = null;
let server: ReturnType<typeof createServer> | null = null;

/** `{"type":"event",...}` padded to `size` bytes, so clients treat it as they treat the app's frames. */
function frame(round: number, size: number): Buffer {
  const head = `{"type":"event","topic":"bench","round":${round},"pad":"`;
  const tail = '"}';
  return Buffer.from(head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail);
}

serveCommands({
  async start() {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method !== 'POST' || url.pathname !== '/broadcast') {
        res.writeHead(404).end();
        return;
      }
      req.resume();
      req.on('end', () => {
        const data = frame(Number(url.searchParams.get('round')), Number(url.searchParams.get('size')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        for (const client of wss!.clients) client.send(data, { binary: false });
      });
    });
    wss = new WebSocketServer({ server, perMessageDeflate: false });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as { port: number }).port, pid: process.pid };
  },
  async stop() {
    for (const client of wss?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    return true;
  },
});
