import { expect } from 'vitest';
import type { Comment, Thread, TimelinePage } from '../../shared/schemas/threads';
import type { Person, TestApp } from './app';

/** What a new thread says: any part not given is the default title, with no body. */
export interface NewThread {
  title?: string;
  body?: string;
}

/** Starts a thread in a group as `author` (a `Person` or a `BulkMember`) and returns it. */
export async function startThread(
  app: TestApp,
  author: { headers: Record<string, string> },
  groupId: string,
  thread: NewThread = {},
): Promise<Thread> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/groups/${groupId}/threads`,
    headers: author.headers,
    payload: {
      title: thread.title ?? 'Where should the spring assembly meet?',
      ...(thread.body === undefined ? {} : { body: thread.body }),
    },
  });
  if (res.statusCode !== 201) throw new Error(`start thread failed: ${res.statusCode} ${res.body}`);
  return res.json().thread;
}

/** Posts a comment (a reply with `parentId`) as `person` and returns it. */
export async function postComment(
  app: TestApp,
  person: Person,
  threadId: string,
  body: string,
  parentId?: string,
): Promise<Comment> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/threads/${threadId}/comments`,
    headers: person.headers,
    payload: parentId === undefined ? { body } : { body, parentId },
  });
  if (res.statusCode !== 201) throw new Error(`comment failed: ${res.statusCode} ${res.body}`);
  return res.json().comment;
}

/** The thread as `person` sees it. */
export async function getThread(app: TestApp, person: Person, threadId: string): Promise<Thread> {
  const res = await app.inject({ url: `/api/v1/threads/${threadId}`, headers: person.headers });
  expect(res.statusCode).toBe(200);
  return res.json().thread;
}

/** One timeline page as `person` sees it; `query` is the query string without `?`. */
export async function timeline(
  app: TestApp,
  person: Person,
  threadId: string,
  query = '',
): Promise<TimelinePage> {
  const res = await app.inject({
    url: `/api/v1/threads/${threadId}/timeline?${query}`,
    headers: person.headers,
  });
  if (res.statusCode !== 200) throw new Error(`timeline failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** The caller's notifications (first page, newest first). */
export async function notifications(app: TestApp, person: Person, query = '') {
  const res = await app.inject({ url: `/api/v1/notifications?${query}`, headers: person.headers });
  expect(res.statusCode).toBe(200);
  return res.json() as {
    items: {
      id: string;
      kind: string;
      threadId: string | null;
      commentId: string | null;
      readAt: string | null;
    }[];
    nextCursor: string | null;
    unreadCount: number;
  };
}
