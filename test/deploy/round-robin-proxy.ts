import proxy from '@fastify/http-proxy';
import Fastify from 'fastify';

/** A load balancer in the test process, standing in for ops/Caddyfile's Caddy. */
export interface RoundRobinProxy {
  url: string;
  /** Plain requests each upstream was sent, by upstream URL. */
  requests: Map<string, number>;
  /** Websockets each upstream was sent, by upstream URL, in the order they opened. */
  websockets: string[];
  close(): Promise<void>;
}

/** What the proxy reads of a request: the plugin's HTTP/1 and HTTP/2 request types both have it. */
interface ProxiedRequest {
  ip: string;
  host: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The response header naming the upstream that answered, so a test can tell who served what. */
export const UPSTREAM_HEADER = 'x-test-upstream';

/**
 * Listens on loopback and passes every request and websocket to the next of
 * `upstreams()` in turn, like Caddy's `lb_policy round_robin`. Plain requests
 * and websockets take turns separately, so the first two websockets land on
 * two different upstreams whatever requests came before them. Like Caddy, it
 * sets X-Forwarded-For to the address that connected to it, replacing any the
 * client sent. `upstreams` is read on each request: the servers start after
 * the proxy, which they need to know as their PUBLIC_URL.
 */
export async function startRoundRobinProxy(upstreams: () => string[]): Promise<RoundRobinProxy> {
  const requests = new Map<string, number>();
  const websockets: string[] = [];
  const servedBy = new WeakMap<object, string>();
  let nextRequest = 0;
  let nextWebsocket = 0;

  const pick = (request: ProxiedRequest): string => {
    const list = upstreams();
    if (String(request.headers.upgrade).toLowerCase() === 'websocket') {
      const upstream = list[nextWebsocket++ % list.length]!;
      websockets.push(upstream);
      return upstream;
    }
    const upstream = list[nextRequest++ % list.length]!;
    requests.set(upstream, (requests.get(upstream) ?? 0) + 1);
    servedBy.set(request, upstream);
    return upstream;
  };
  const forwarded = (request: ProxiedRequest) => ({
    'x-forwarded-for': request.ip,
    'x-forwarded-proto': 'http',
    'x-forwarded-host': request.host,
  });

  const app = Fastify({ logger: false });
  await app.register(proxy, {
    upstream: '',
    websocket: true,
    replyOptions: {
      getUpstream: pick,
      rewriteRequestHeaders: (request, headers) => ({ ...headers, ...forwarded(request) }),
      rewriteHeaders: (headers, request) =>
        request ? { ...headers, [UPSTREAM_HEADER]: servedBy.get(request) } : headers,
    },
    wsClientOptions: {
      // Not in the plugin's types: it builds the headers of the connection to the upstream.
      // Its default passes on the cookie alone; a browser's Origin goes along too, as Caddy's would.
      rewriteRequestHeaders: (headers: Record<string, string>, request: ProxiedRequest) => ({
        ...headers,
        ...(request.headers.cookie ? { cookie: request.headers.cookie } : {}),
        ...(request.headers.origin ? { origin: request.headers.origin } : {}),
        ...forwarded(request),
      }),
    } as object,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests, websockets, close: () => app.close() };
}
