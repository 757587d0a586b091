import fc from 'fast-check';

/**
 * Bad requests generated from the OpenAPI document, which Fastify builds from the same TypeBox
 * schemas that validate requests. Every request generated here breaks its route's contract in at
 * least one definite way (a wrong type, a NUL, an unpaired surrogate, a number out of range, an
 * over-long string, a missing field, malformed JSON, a wrong content type, an oversized body, a
 * prototype key), so the only right answers are 4xx in the contract's error shape, and nothing
 * may change.
 */

type Schema = {
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
};

export interface OpenApiParameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface RouteSpec {
  method: string;
  /** OpenAPI form, `/api/v1/threads/{id}`. */
  path: string;
  parameters: OpenApiParameter[];
  body: Schema | null;
}

export interface BadRequest {
  route: RouteSpec;
  violation: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

/** Routes as the OpenAPI document lists them. */
export function routesOf(doc: { paths: Record<string, Record<string, OpenApiOperation>> }): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      routes.push({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      });
    }
  }
  return routes;
}

/** Text people really type, and text that trips naive code: RTL overrides, zero-width, markup, SQL. */
const awkwardText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    'Commons Circle',
    '\u202Eevil\u202C',
    'שלום עולם',
    'مرحبا',
    '\u200B\u200D\uFEFF',
    'a\u200Bb',
    '🏳️‍🌈 co-op',
    "'; drop table users; --",
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '%00',
    '{{constructor.constructor("x")()}}',
  ),
);

const NUL = '\u0000';
/** Stands for deeply nested JSON, spliced in as text: `JSON.stringify` itself would overflow. */
const DEEP = '\u0001deep\u0001';
const DEEP_JSON = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
const toJson = (value: unknown) => JSON.stringify(value).replaceAll(JSON.stringify(DEEP), DEEP_JSON);
const LONE_SURROGATES = ['\uD800', '\uDFFF', 'a\uDC00b', '\uD83D'];

function typesOf(schema: Schema): string[] {
  // OpenAPI 3.0 writes `T | null` as `nullable: true`.
  if (schema.nullable) return [...typesOf({ ...schema, nullable: false }), 'null'];
  if (schema.anyOf) return schema.anyOf.flatMap(typesOf);
  if (schema.oneOf) return schema.oneOf.flatMap(typesOf);
  if (schema.enum) return [typeof schema.enum[0]];
  if (schema.const !== undefined) return [typeof schema.const];
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

/** A value that fits `schema` in type and bounds (the generator then breaks one thing). */
export function fitting(schema: Schema): fc.Arbitrary<unknown> {
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map(fitting));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'date-time')
        return fc
          .integer({ min: 1, max: 30 })
          .map((d) => new Date(Date.now() + d * 86_400_000).toISOString());
      if (schema.format === 'date') return fc.constant('2030-01-31');
      if (schema.format === 'email') return fc.constant('someone@example.org');
      return awkwardText.map((text) => {
        let s = text.slice(0, schema.maxLength ?? 1000);
        while (s.length < (schema.minLength ?? 0)) s += 'x';
        return s;
      });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 1000, 1000) });
    case 'number':
      return fc.double({
        min: schema.minimum ?? 0,
        max: Math.min(schema.maximum ?? 1000, 1000),
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? fitting(schema.items) : fc.string(), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(props)) record[key] = fitting(sub);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in props) });
    }
    default:
      return fc.oneof(fc.string(), fc.integer(), fc.boolean());
  }
}

/** A value of a type `schema` does not allow. */
function wrongTypeFor(schema: Schema): fc.Arbitrary<unknown> {
  const allowed = new Set(typesOf(schema));
  const candidates: [string, fc.Arbitrary<unknown>][] = [
    ['string', fc.constantFrom('3', 'true', '')],
    ['number', fc.constantFrom(3, -1.5, 1e300)],
    ['integer', fc.constantFrom(3, 0)],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.constantFrom([], ['x'], DEEP)],
    ['object', fc.constantFrom({}, { a: { b: { c: 1 } } })],
  ];
  const usable = candidates.filter(([type]) => {
    if (allowed.has(type)) return false;
    if (type === 'integer' && allowed.has('number')) return false;
    if (type === 'number' && allowed.has('integer')) return false; // 3 would fit; -1.5 is covered by range
    return true;
  });
  return fc.oneof(...usable.map(([, arb]) => arb));
}

/** Ways to break one string or number field, where the schema makes them definite. */
function breakerFor(schema: Schema): fc.Arbitrary<{ how: string; value: unknown }>[] {
  const types = typesOf(schema);
  const out: fc.Arbitrary<{ how: string; value: unknown }>[] = [
    wrongTypeFor(schema).map((value) => ({ how: 'wrong type', value })),
  ];
  if (types.includes('string') && !schema.enum && !schema.anyOf) {
    out.push(awkwardText.map((t) => ({ how: 'NUL in text', value: `${t}${NUL}${t}` })));
    out.push(
      fc
        .tuple(awkwardText, fc.constantFrom(...LONE_SURROGATES))
        .map(([t, s]) => ({ how: 'unpaired surrogate', value: `${t}${s}` })),
    );
    if (schema.maxLength !== undefined)
      out.push(fc.constant({ how: 'too long', value: 'x'.repeat(schema.maxLength + 1) }));
  }
  if (schema.enum && types.includes('string'))
    out.push(fc.constantFrom('bogus', 'OPEN', '').map((value) => ({ how: 'not in enum', value })));
  if (types.includes('integer') || types.includes('number')) {
    // Only what the schema rules out: an unbounded integer may be 2^63.
    const values: number[] = [];
    if (schema.minimum !== undefined) values.push(schema.minimum - 1, -1e300);
    if (schema.maximum !== undefined) values.push(schema.maximum + 1, 1e300, 2 ** 63);
    if (types.includes('integer')) values.push(1.5);
    if (values.length) out.push(fc.constantFrom(...values).map((value) => ({ how: 'out of range', value })));
  }
  return out;
}

/** A body that fits the schema except for exactly the named break. */
function badBody(schema: Schema): fc.Arbitrary<{ violation: string; json: unknown }> {
  const props = schema.properties ?? {};
  const keys = Object.keys(props);
  const options: fc.Arbitrary<{ violation: string; json: unknown }>[] = [];
  const base = fitting(schema) as fc.Arbitrary<Record<string, unknown>>;
  for (const key of keys) {
    for (const breaker of breakerFor(props[key]!)) {
      options.push(
        fc.tuple(base, breaker).map(([body, broken]) => ({
          violation: `${broken.how} at /${key}`,
          json: { ...body, [key]: broken.value },
        })),
      );
    }
    // One level down: a broken item of an array of objects, a broken field of a nested object.
    const sub = props[key]!;
    const nested = sub.items?.properties ? sub.items : sub.properties ? sub : null;
    if (nested) {
      for (const [inner, innerSchema] of Object.entries(nested.properties ?? {})) {
        for (const breaker of breakerFor(innerSchema)) {
          options.push(
            fc
              .tuple(base, fitting(nested) as fc.Arbitrary<Record<string, unknown>>, breaker)
              .map(([body, item, broken]) => {
                const value = { ...item, [inner]: broken.value };
                return {
                  violation: `${broken.how} at /${key}/${inner}`,
                  json: { ...body, [key]: sub.items ? [value] : value },
                };
              }),
          );
        }
      }
    }
  }
  for (const key of schema.required ?? []) {
    options.push(
      base.map((body) => {
        const { [key]: _dropped, ...rest } = body;
        return { violation: `missing /${key}`, json: rest };
      }),
    );
  }
  options.push(
    fc.constantFrom([], 'text', 42, null).map((json) => ({ violation: 'body is not an object', json })),
  );
  return fc.oneof(...options);
}

interface Fixture {
  /** A real value for each path parameter of the route, so validation is what refuses it. */
  pathValue(route: RouteSpec, name: string): string;
  headers: Record<string, string>;
}

function fillPath(route: RouteSpec, fixture: Fixture, override?: { name: string; raw: string }): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    override?.name === name ? override.raw : encodeURIComponent(fixture.pathValue(route, name)),
  );
}

function queryString(values: Record<string, string>): string {
  const parts = Object.entries(values).map(([k, v]) => `${encodeURIComponent(k)}=${v}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Query values that break a parameter of this schema: as text, since that is how they travel. */
function rawQueryBreaks(schema: Schema): string[] {
  const type = typesOf(schema)[0] ?? 'string';
  if (type === 'integer' || type === 'number') {
    const raws = ['abc', '1e400', '%00', 'NaN'];
    if (type === 'integer') raws.push('1.5');
    if (schema.minimum !== undefined) raws.push(String(schema.minimum - 1), '-99999999999999999999');
    if (schema.maximum !== undefined)
      raws.push(String(schema.maximum + 1), '99999999999999999999', '9223372036854775807');
    return raws;
  }
  if (type === 'boolean') return ['maybe', '2', '%00'];
  // Broken UTF-8 in a query decodes to U+FFFD, which is fair text: only NUL is definite here.
  const raws = ['%00', 'a%00b', 'x%00%00'];
  if (schema.enum) raws.push('bogus');
  if (schema.maxLength !== undefined) raws.push('x'.repeat(schema.maxLength + 1));
  return raws;
}

/** Every kind of bad request a route admits, as one arbitrary. */
export function badRequests(route: RouteSpec, fixture: Fixture): fc.Arbitrary<BadRequest> | null {
  const json = { ...fixture.headers, 'content-type': 'application/json' };
  const make = (violation: string, parts: Partial<BadRequest> & { url: string }): BadRequest => ({
    route,
    violation,
    method: route.method,
    headers: json,
    ...parts,
  });
  const options: fc.Arbitrary<BadRequest>[] = [];
  const validPath = fillPath(route, fixture);

  for (const param of route.parameters.filter((p) => p.in === 'path')) {
    options.push(
      fc
        .constantFrom(
          '%00',
          'a%00',
          '%ED%A0%80',
          'x'.repeat(5_000),
          '99999999999999999999',
          '..%2F..',
          '%F0%9F%98',
        )
        .map((raw) =>
          make(`bad path /${param.name}`, { url: fillPath(route, fixture, { name: param.name, raw }) }),
        ),
    );
  }
  for (const param of route.parameters.filter((p) => p.in === 'query')) {
    options.push(
      fc.constantFrom(...rawQueryBreaks(param.schema)).map((raw) =>
        make(`bad query ?${param.name}=${raw.slice(0, 24)}`, {
          url: validPath + queryString({ [param.name]: raw }),
        }),
      ),
    );
  }
  // Fastify parses JSON (and plain text) bodies for these methods whatever the route: broken JSON
  // and an oversized body are definite everywhere; a wrong content type only where a schema wants JSON.
  const hasBodyParsing = ['POST', 'PUT', 'PATCH'].includes(route.method);
  if (route.body) {
    options.push(
      badBody(route.body).map(({ violation, json: body }) =>
        make(violation, { url: validPath, payload: toJson(body) }),
      ),
    );
  }
  if (hasBodyParsing) {
    options.push(
      fc
        .constantFrom('{', '{"a":}', "{'a':1}", '[1,2', '\u0000', '{"a":1}}', 'nul')
        .map((payload) => make('malformed JSON', { url: validPath, payload })),
      fc
        .constantFrom(
          '{"__proto__":{"isAdmin":true},"name":"x"}',
          '{"constructor":{"prototype":{"isAdmin":true}},"name":"x"}',
        )
        .map((payload) => make('prototype key', { url: validPath, payload })),
    );
  }
  if (route.body) {
    options.push(
      fc
        .constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
        )
        .map((type) =>
          make(`content type ${type}`, {
            url: validPath,
            headers: { ...fixture.headers, 'content-type': type },
            payload: 'name=x&title=y',
          }),
        ),
    );
  }
  if (hasBodyParsing) {
    options.push(
      fc.constant(
        make('oversized body', { url: validPath, payload: JSON.stringify({ body: 'x'.repeat(300 * 1024) }) }),
      ),
    );
  }
  return options.length ? fc.oneof(...options) : null;
}
