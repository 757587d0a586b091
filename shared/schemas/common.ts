import Type from 'typebox';

/** `{ error: { code, message, details? } }`, the one shape of every failure. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    }),
  },
  { $id: 'ErrorBody' },
);
export type ErrorBody = Type.Static<typeof ErrorBody>;

/**
 * What each error status means, as the contract's error table says (API.md,
 * "Conventions"); the OpenAPI page shows it beside every operation that can
 * answer it.
 */
const ERROR_MEANINGS = {
  400:
    '`validation_failed`: the body, query or path breaks the schema or a rule (`details` names each field). ' +
    'Any route answers it to text holding U+0000 or an unpaired surrogate, in any part of the request.',
  401: '`unauthenticated`: no valid session or token.',
  403:
    '`forbidden`: the caller lacks the role or the group setting for this act; `csrf_rejected`: a write ' +
    'authenticated by the session cookie without an `Origin` naming this server.',
  404: '`not_found`: it does not exist, or the caller is not a member of its group.',
  409: '`conflict`, `proposal_closed` or `thread_closed`: the request clashes with the current state.',
  413: '`payload_too_large`: the body is over the limit (256 KiB).',
  415: '`unsupported_media_type`: the body is not JSON.',
  429: '`rate_limited`: too many attempts; `Retry-After` says how many seconds to wait.',
  503: '`busy` or `search_timeout`: try again later (`busy` carries `Retry-After`).',
} as const;
export type ErrorStatus = keyof typeof ERROR_MEANINGS;

/**
 * Response-map entries for the error statuses a route can answer, each in the
 * one error shape and described as the contract does. A status not listed
 * would still be sent in that shape, but would be missing from the OpenAPI
 * document: list every one the route really gives.
 */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, typeof ErrorBody> {
  const responses = {} as Record<S, typeof ErrorBody>;
  for (const status of statuses) {
    // Without ErrorBody's $id: one copy per status, each with its own description.
    responses[status] = Type.Object(ErrorBody.properties, { description: ERROR_MEANINGS[status] });
  }
  return responses;
}

/**
 * A response without a body (204, 202, 101), with what it means. Typed as
 * `undefined` so that its route still answers with `reply.send()`, no argument.
 */
export const NoBody = (description: string) => Type.Unsafe<undefined>(Type.Null({ description }));

/**
 * Names, titles, labels: 1–200 characters once trimmed. The 200 is checked
 * after trimming, by the server's `trimmed()`, which every Name must go
 * through: the schema only bounds the raw text, leaving room for surrounding
 * whitespace, so ` ${200 characters} ` is accepted as the contract says.
 */
export const Name = Type.String({
  minLength: 1,
  maxLength: 1000,
  description: '1–200 characters after trimming',
});
/** Markdown bodies, descriptions, reasons, statements. */
export const LongText = Type.String({ maxLength: 100_000 });
export const Timestamp = Type.String({ format: 'date-time' });

export const IdParams = Type.Object({ id: Type.String() });

/**
 * The largest event id the API takes: 2^53 − 1, the largest integer a JSON
 * number holds exactly. Beyond it is `400`, not a database error (ids are
 * Postgres bigints, up to 2^63 − 1). The server's validation bounds every
 * other number in a request the same way unless its schema says narrower.
 */
export const MAX_EVENT_ID = Number.MAX_SAFE_INTEGER;
/** An event id as `since`, `after`, `before` and `lastEventId` take it: a positive integer. */
export const EventId = Type.Integer({ minimum: 1, maximum: MAX_EVENT_ID });
/** `?limit=`: anything above 200 is treated as 200, up to the largest exact integer. */
export const Limit = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const ListQuery = Type.Object({
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Type.String()),
});
export type ListQuery = Type.Static<typeof ListQuery>;

/** A page of a list: `{ items, nextCursor }`. */
export function Page<T extends Type.TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

export const Ok = Type.Object({ ok: Type.Boolean() });
