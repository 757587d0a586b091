import type { FastifyError, FastifyInstance } from 'fastify';

export interface ErrorDetail {
  path: string;
  message: string;
}

/** An expected failure with a stable `code`; the error handler turns it into the contract's shape. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what = 'resource') => new AppError(404, 'not_found', `${what} not found`);
export const unauthenticated = () => new AppError(401, 'unauthenticated', 'sign in first');
export const forbidden = (message = 'you may not do that here') => new AppError(403, 'forbidden', message);
export const conflict = (message: string) => new AppError(409, 'conflict', message);
/** A 400 for one field: `path` is a JSON pointer into the request, e.g. `/title`. */
export const invalid = (path: string, message: string) =>
  new AppError(400, 'validation_failed', `${path.slice(1) || 'request'} ${message}`, [{ path, message }]);

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Ajv's errors as `{path, message}` pairs with JSON pointers to the offending field. */
export function detailsFromValidation(issues: AjvIssue[]): ErrorDetail[] {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const issue of issues) {
    let path = issue.instancePath || '';
    if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') {
      path = `${path}/${issue.params.missingProperty}`;
    }
    if (issue.keyword === 'anyOf') continue; // its branches already said what is wrong
    const message = issue.keyword === 'required' ? 'is required' : (issue.message ?? 'is invalid');
    const key = `${path} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // An empty pointer is the whole document (RFC 6901); `/` would name a key "".
    details.push({ path, message });
  }
  return details;
}

/**
 * Postgres errors caused by a value the request carried (SQLSTATE class 22, data
 * exceptions, and 54000, a value too big for an index or a search vector), not by
 * the server: malformed uuids or numbers, numbers out of a column's range, U+0000
 * in text or JSON, impossible dates, limits and offsets out of range.
 */
const REFUSED_VALUE_CODES = new Set([
  '22P02', // invalid_text_representation: `'xyz'::uuid`
  '22003', // numeric_value_out_of_range
  '22021', // character_not_in_repertoire: U+0000 in text
  '22P05', // untranslatable_character: \u0000 in jsonb
  '22007', // invalid_datetime_format
  '22008', // datetime_field_overflow
  '22001', // string_data_right_truncation
  '2201W', // invalid_row_count_in_limit_clause
  '2201X', // invalid_row_count_in_result_offset_clause
  '54000', // program_limit_exceeded
]);

function isRefusedValue(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown };
  return typeof e?.code === 'string' && REFUSED_VALUE_CODES.has(e.code) && typeof e.severity === 'string';
}

/** One handler for every failure: the contract's error shape, 5xx details logged, never sent. */
export function installErrorHandler(app: FastifyInstance, options: { spaIndex?: boolean } = {}): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      if (err.headers) reply.headers(err.headers);
      return reply.status(err.statusCode).send({
        error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
      });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const details = detailsFromValidation(fe.validation as AjvIssue[]);
      const first = details[0];
      const where = fe.validationContext === 'body' ? '' : `${fe.validationContext} `;
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message: first
            ? `${where}${first.path === '' ? '' : `${first.path.slice(1)} `}${first.message}`
            : 'invalid request',
          details,
        },
      });
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply
          .status(413)
          .send({ error: { code: 'payload_too_large', message: 'the body is too large' } });
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return reply.status(400).send({
          error: {
            code: 'validation_failed',
            message: 'the body is not valid JSON',
            details: [{ path: '', message: 'is not valid JSON' }],
          },
        });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.status(415).send({
          error: { code: 'unsupported_media_type', message: 'send JSON with Content-Type: application/json' },
        });
    }
    if (isRefusedValue(err)) {
      // Validation should have caught it first: logged so the gap gets closed, answered as the 400 it is.
      request.log.error({ err }, 'the database refused a value from the request');
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message: 'the request holds a value out of range or text that cannot be stored',
          details: [{ path: '', message: 'holds a value out of range or text that cannot be stored' }],
        },
      });
    }
    if (fe.statusCode === 429) {
      return reply
        .status(429)
        .send({ error: { code: 'rate_limited', message: 'too many attempts; try later' } });
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply
        .status(fe.statusCode)
        .send({ error: { code: 'bad_request', message: fe.message || 'bad request' } });
    }
    request.log.error({ err }, 'request failed');
    return reply
      .status(500)
      .send({ error: { code: 'internal', message: 'something went wrong on our side' } });
  });

  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0]!;
    // The web client routes by path: any page URL gets index.html.
    if (
      options.spaIndex &&
      request.method === 'GET' &&
      !url.startsWith('/api/') &&
      !/\.[a-z0-9]+$/i.test(url)
    ) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply
      .status(404)
      .send({ error: { code: 'not_found', message: `no route ${request.method} ${url}` } });
  });
}
