import Type from 'typebox';
import { Name, Timestamp } from './common';

/** A language the app speaks, as a BCP 47 tag: `en`, `es`. */
export const Locale = Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 });

export const EmailNotifications = Type.Union([
  Type.Literal('all'),
  Type.Literal('important'),
  Type.Literal('none'),
]);

/** `email` is present only for the user themself and for facilitators of a group they share. */
export const User = Type.Object({
  id: Type.String(),
  name: Type.String(),
  handle: Type.String(),
  email: Type.Optional(Type.String()),
  emailNotifications: Type.Optional(EmailNotifications),
  /** Only for the user themself: whether they have followed a link sent to `email`. */
  emailVerified: Type.Optional(Type.Boolean()),
  /** Only for the user themself: the language they chose (`es`); null follows their browser. */
  locale: Type.Optional(Type.Union([Locale, Type.Null()])),
});
export type User = Type.Static<typeof User>;

export const Email = Type.String({ format: 'email', maxLength: 254 });
/** A new password; the server also refuses common and self-derived ones (server/domain/passwords.ts). */
export const Password = Type.String({
  minLength: 10,
  maxLength: 1024,
  description:
    'At least 10 characters besides spaces and invisible ones; not a common password, and not containing your email address, name or handle.',
});
export const Handle = Type.String({ pattern: '^[a-z0-9_-]{2,30}$' });

export const RegisterBody = Type.Object({
  email: Email,
  name: Name,
  password: Password,
  handle: Type.Optional(Handle),
});
export type RegisterBody = Type.Static<typeof RegisterBody>;

export const LoginBody = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});
export type LoginBody = Type.Static<typeof LoginBody>;

export const PatchMeBody = Type.Object({
  name: Type.Optional(Name),
  emailNotifications: Type.Optional(EmailNotifications),
  /** One of the languages in `shared/locales/` or `en`; null follows the browser's. */
  locale: Type.Optional(Type.Union([Locale, Type.Null()])),
  password: Type.Optional(Password),
  currentPassword: Type.Optional(Type.String({ maxLength: 1024 })),
});
export type PatchMeBody = Type.Static<typeof PatchMeBody>;

export const UserReply = Type.Object({ user: User });

/** The secret of a link sent by email (`?token=` of /reset-password, /verify-email, /confirm-email). */
export const AccountLinkToken = Type.String({ pattern: '^[A-Za-z0-9_-]{20,200}$' });

export const PasswordResetBody = Type.Object({ email: Email });
export type PasswordResetBody = Type.Static<typeof PasswordResetBody>;

export const PasswordResetConfirmBody = Type.Object({ token: AccountLinkToken, password: Password });
export type PasswordResetConfirmBody = Type.Static<typeof PasswordResetConfirmBody>;

/** Following a link: verifying an address, or confirming a new one. */
export const AccountLinkBody = Type.Object({ token: AccountLinkToken });
export type AccountLinkBody = Type.Static<typeof AccountLinkBody>;

export const ChangeEmailBody = Type.Object({
  email: Email,
  currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
});
export type ChangeEmailBody = Type.Static<typeof ChangeEmailBody>;

export const CreateTokenBody = Type.Object({ name: Name });
export const ApiToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
});
export const CreatedToken = Type.Object({
  token: Type.Object({ id: Type.String(), name: Type.String(), secret: Type.String() }),
});
export type ApiToken = Type.Static<typeof ApiToken>;
