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
