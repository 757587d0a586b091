import Type from 'typebox';

// An id is opaque (one that names nothing is `not_found`), but never holds whitespace, a colon,
// a control character such as NUL, or half of a surrogate pair: such a topic is malformed.
const TOPIC_ID = '[^\\s:\\u0000-\\u001f\\u007f\\ud800-\\udfff]{1,64}';

/** `group:<id>`, `thread:<id>` or `me`. */
export const Topic = Type.String({ pattern: `^(me|group:${TOPIC_ID}|thread:${TOPIC_ID})$` });

/** Event ids are positive integers; past 2^53 a JSON number no longer names one exactly. */
export const MAX_EVENT_ID = Number.MAX_SAFE_INTEGER;

export const SubscribeMessage = Type.Object({
  type: Type.Literal('subscribe'),
  topic: Topic,
  since: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_EVENT_ID })),
});
export const UnsubscribeMessage = Type.Object({ type: Type.Literal('unsubscribe'), topic: Topic });
export const PingMessage = Type.Object({ type: Type.Literal('ping') });

/** Every frame a client may send on `/api/v1/stream`. */
export const ClientMessage = Type.Union([SubscribeMessage, UnsubscribeMessage, PingMessage]);
export type ClientMessage = Type.Static<typeof ClientMessage>;

/** The event as streamed: `data` is the resource as the HTTP API would show it to this subscriber. */
export interface StreamEvent {
  id: number;
  kind: string;
  groupId: string | null;
  threadId: string | null;
  actor: { id: string; name: string } | null;
  at: string;
  data: Record<string, unknown>;
}

export type ServerMessage =
  | { type: 'subscribed'; topic: string; lastEventId: number }
  | { type: 'event'; topic: string; event: StreamEvent }
  | { type: 'reset'; topic: string }
  | { type: 'error'; topic?: string; code: string; message: string }
  | { type: 'presence'; topic: string; users: { id: string; name: string }[]; count?: number }
  | { type: 'pong' };
