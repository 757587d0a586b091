import Type from 'typebox';

/** `group:<id>`, `thread:<id>` or `me`. */
export const Topic = Type.String({ pattern: '^(me|group:[^\\s:]{1,64}|thread:[^\\s:]{1,64})$' });

export const SubscribeMessage = Type.Object({
  type: Type.Literal('subscribe'),
  topic: Topic,
  since: Type.Optional(Type.Integer({ minimum: 0 })),
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
