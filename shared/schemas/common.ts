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

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  cursor: Type.Optional(Type.String()),
});
export type ListQuery = Type.Static<typeof ListQuery>;

/** A page of a list: `{ items, nextCursor }`. */
export function Page<T extends Type.TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

export const Ok = Type.Object({ ok: Type.Boolean() });
