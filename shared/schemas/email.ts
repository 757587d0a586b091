import Type from 'typebox';

/** How much email a member gets: everything, only what concerns them directly (`important`), or none. */
export const EmailLevel = Type.Union([Type.Literal('all'), Type.Literal('important'), Type.Literal('none')]);
export type EmailLevel = Type.Static<typeof EmailLevel>;

export const DigestFrequency = Type.Union([
  Type.Literal('off'),
  Type.Literal('daily'),
  Type.Literal('weekly'),
]);

/** An IANA time zone name (`Europe/Paris`); the server checks it names a zone it knows. */
export const TimeZone = Type.String({ minLength: 1, maxLength: 64 });

export const Preferences = Type.Object({
  email: EmailLevel,
  digest: DigestFrequency,
  digestHour: Type.Integer({ minimum: 0, maximum: 23 }),
  timeZone: TimeZone,
  /** Per-group overrides of `email`; a group not named here follows `email`. */
  groups: Type.Record(Type.String(), EmailLevel),
});
export type Preferences = Type.Static<typeof Preferences>;

export const PreferencesReply = Type.Object({ preferences: Preferences });

/** A group set to `null` drops its override (it follows `email` again). */
export const PatchPreferencesBody = Type.Object(
  {
    email: Type.Optional(EmailLevel),
    digest: Type.Optional(DigestFrequency),
    digestHour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
    timeZone: Type.Optional(TimeZone),
    groups: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.Union([EmailLevel, Type.Null()]), {
        maxProperties: 1000,
      }),
    ),
  },
  { additionalProperties: false },
);
export type PatchPreferencesBody = Type.Static<typeof PatchPreferencesBody>;

export const UnsubscribeQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 300 }) });
export type UnsubscribeQuery = Type.Static<typeof UnsubscribeQuery>;
