/**
 * Talking to server processes over real HTTP, for tests that run several
 * (`spawnServer`): the in-process `as(app, person)` cannot reach them.
 */

export interface RemotePerson {
  id: string;
  name: string;
  /** `name=value` of the session cookie. */
  cookie: string;
}

export interface RemoteReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the contract answers
  json: any;
  headers: Headers;
}

/** One API call to `baseUrl` (`/api/v1` is added), as `person` when given. */
export async function callServer(
  baseUrl: string,
  method: string,
  path: string,
  { body, as }: { body?: unknown; as?: Pick<RemotePerson, 'cookie'> } = {},
): Promise<RemoteReply> {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      // The origin check lets a cookie write through only from the site itself.
      ...(as ? { cookie: as.cookie, origin: baseUrl } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

let registered = 0;

/** Registers a new account through `baseUrl` and answers it with its session cookie. */
export async function registerPerson(baseUrl: string, name: string): Promise<RemotePerson> {
  registered += 1;
  const reply = await callServer(baseUrl, 'POST', '/auth/register', {
    body: {
      name,
      email: `${name.toLowerCase()}-${process.pid}-${registered}@example.org`,
      password: 'correct horse battery',
    },
  });
  if (reply.status !== 201)
    throw new Error(`register ${name}: ${reply.status} ${JSON.stringify(reply.json)}`);
  const cookie = reply.headers.getSetCookie()[0]!.split(';')[0]!;
  return { id: reply.json.user.id, name, cookie };
}

/** Polls `check` until it answers true. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
