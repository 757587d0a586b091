import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/**
 * Bodies are typed strictly (`"3"` is not a number), while query strings and
 * path parameters arrive as text and are coerced: so two Ajv instances.
 */
export function installValidation(app: FastifyInstance): void {
  const options = { allErrors: true, removeAdditional: true as const, useDefaults: true, strict: false };
  const strict = addFormats(new Ajv({ ...options, coerceTypes: false }));
  const coercing = addFormats(new Ajv({ ...options, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
  );
  // A write sent with no body at all is an empty object: a body whose fields are
  // all optional (`POST /groups/:id/invitations`) may be left out, and one with
  // required fields names each missing field instead of "must be object".
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.method !== 'GET' && request.method !== 'HEAD') {
      request.body = {};
    }
  });
}
