import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { AppError, type ErrorDetail } from '../errors';

/**
 * Bodies are typed strictly (`"3"` is not a number), while query strings and
 * path parameters arrive as text and are coerced: so two Ajv instances.
 */
export function installValidation(app: FastifyInstance): void {
  const options = { allErrors: true, removeAdditional: true as const, useDefaults: true, strict: false };
  const strict = addFormats(new Ajv({ ...options, coerceTypes: false }));
  const coercing = addFormats(new Ajv({ ...options, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(withSafeNumbers(schema)) : coercing.compile(withSafeNumbers(schema)),
  );
  // A write sent with no body at all is an empty object: a body whose fields are
  // all optional (`POST /groups/:id/invitations`) may be left out, and one with
  // required fields names each missing field instead of "must be object".
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.method !== 'GET' && request.method !== 'HEAD') {
      request.body = {};
    }
    // Every route, every part, every field, declared or not (a service may read a
    // query parameter its schema leaves out): such text never reaches a service.
    for (const [part, where] of [
      [request.params, 'params '],
      [request.query, 'querystring '],
      [request.body, ''],
    ] as const) {
      const paths = unstorableText(part);
      if (paths.length > 0) {
        const details: ErrorDetail[] = paths.map((path) => ({ path, message: UNSTORABLE_MESSAGE }));
        throw new AppError(
          400,
          'validation_failed',
          `${where}${paths[0]!.slice(1) || 'value'} ${UNSTORABLE_MESSAGE}`,
          details,
        );
      }
    }
  });
}

const UNSTORABLE_MESSAGE = 'must not contain U+0000 or an unpaired surrogate';
/**
 * U+0000, which Postgres text cannot hold (the write fails), and a surrogate
 * without its pair, which is no character at all (Postgres would store U+FFFD
 * in its place, or refuse it in JSON). A pair, an emoji say, is fine.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);
const MAX_REPORTED = 20;

/**
 * JSON pointers to each string, or object key, in `value` holding text that
 * cannot be stored, in document order (at most 20). Walks with a queue, not
 * recursion, so a deeply nested body cannot overflow the stack.
 */
export function unstorableText(value: unknown): string[] {
  const found: string[] = [];
  const queue: [unknown, string][] = [[value, '']];
  for (let i = 0; i < queue.length && found.length < MAX_REPORTED; i++) {
    const [item, at] = queue[i]!;
    if (typeof item === 'string') {
      if (unstorable(item)) found.push(at);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        const path = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (unstorable(key)) found.push(path);
        else queue.push([child, path]);
      }
    }
  }
  return found;
}

/**
 * The schema with every integer and number bounded to ±(2^53 − 1) unless it
 * says narrower: beyond that a JSON number is no longer exact, and Postgres
 * refuses what its columns cannot hold (an event id of 2^63 is a database
 * error, not "no such event"). Limits stay generous: `?limit=1000000` is still
 * "treated as 200", as the contract says.
 */
function withSafeNumbers(schema: object): Record<string, unknown> {
  // One copy per schema object, so Ajv's cache (keyed by the object) still compiles a shared schema once.
  let copy = bounded.get(schema);
  if (!copy) {
    copy = bound(schema) as Record<string, unknown>;
    bounded.set(schema, copy);
  }
  return copy;
}
const bounded = new WeakMap<object, Record<string, unknown>>();

/** Keys whose values are data, not schemas. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

function bound(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(bound);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) out[key] = DATA_KEYWORDS.has(key) ? value : bound(value);
  const types = Array.isArray(out.type) ? out.type : [out.type];
  if (types.includes('integer') || types.includes('number')) {
    if (out.maximum === undefined && out.exclusiveMaximum === undefined)
      out.maximum = Number.MAX_SAFE_INTEGER;
    if (out.minimum === undefined && out.exclusiveMinimum === undefined)
      out.minimum = -Number.MAX_SAFE_INTEGER;
  }
  return out;
}
