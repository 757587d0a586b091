import Type from 'typebox';
import { Timestamp } from './common';

/** The server's VAPID public key (base64url), the `applicationServerKey` a browser subscribes with. */
export const PushKey = Type.Object({ publicKey: Type.String() });
export type PushKey = Type.Static<typeof PushKey>;

/**
 * A browser's push subscription as `PushSubscription.toJSON()` gives it. The
 * endpoint must be an https URL; the keys are base64url: `p256dh` the
 * browser's P-256 public key (65 bytes), `auth` its secret (16 bytes).
 */
export const NewPushSubscription = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, maxLength: 2000 }),
    // Browsers add `expirationTime` (usually null) to toJSON(): accepted and ignored.
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    keys: Type.Object(
      {
        p256dh: Type.String({ minLength: 1, maxLength: 200 }),
        auth: Type.String({ minLength: 1, maxLength: 100 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type NewPushSubscription = Type.Static<typeof NewPushSubscription>;

/** A device a member gets push notifications on. The keys stay on the server. */
export const PushSubscription = Type.Object({
  id: Type.String(),
  endpoint: Type.String(),
  createdAt: Timestamp,
});
export type PushSubscription = Type.Static<typeof PushSubscription>;

export const PushSubscriptionReply = Type.Object({ subscription: PushSubscription });

export const PushSubscriptionList = Type.Object({
  items: Type.Array(PushSubscription),
  nextCursor: Type.Null(),
});
