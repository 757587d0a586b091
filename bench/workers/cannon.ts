// Drives HTTP load with autocannon from its own process, so the load
// generator never shares an event loop with the server it measures.
import autocannon from 'autocannon';
import { serveCommands } from '../lib/procs';

export interface CannonArgs {
  url: string;
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  connections: number;
  durationS: number;
  /** Bearer tokens, one per request in turn: many distinct callers. */
  tokens?: string[];
  /** JSON bodies, rotated independently of the tokens. */
  bodies?: string[];
}

export interface CannonResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statusCodes: Record<string, number>;
  errorSamples: string[];
}

async function run(args: CannonArgs): Promise<CannonResult> {
  const tokens = args.tokens ?? [];
  const bodies = args.bodies ?? [];
  let i = 0;
  const errorSamples: string[] = [];
  const result = await autocannon({
    url: args.url,
    connections: args.connections,
    duration: args.durationS,
    timeout: 10,
    requests: [
      {
        method: args.method,
        path: args.path,
        setupRequest: (req: Record<string, unknown>) => {
          const k = i++;
          const headers: Record<string, string> = { ...(req.headers as Record<string, string>) };
          if (tokens.length) headers.authorization = `Bearer ${tokens[k % tokens.length]}`;
          let body: string | undefined;
          if (bodies.length) {
            // Offset by the lap so a caller does not send the same body every time round.
            body = bodies[(k + Math.floor(k / Math.max(1, tokens.length))) % bodies.length];
            headers['content-type'] = 'application/json';
          }
          return { ...req, headers, body };
        },
        onResponse: (status: number, body: string) => {
          if ((status < 200 || status >= 300) && errorSamples.length < 3)
            errorSamples.push(`${status} ${body.slice(0, 300)}`);
        },
      },
    ],
  } as autocannon.Options);
  const ok = result['2xx'];
  return {
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
    rps: ok / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, (v as { count: number }).count]),
    ),
    errorSamples,
  };
}

serveCommands({ run: (args) => run(args as unknown as CannonArgs) });
