import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Mentionable } from '../data/comments';
import { outcomeIsCurrent } from '../data/open-proposals';
import type { CommentEntry, ThreadStore, TimelineRow } from '../data/thread-store';
import type { Thread, TimelineItem } from '../data/threads';
import { t } from '../i18n';
import { absoluteTime, relativeTime } from '../ui/format';
import { defineOnDemand } from '../ui/on-demand';
import type { ReplyDetail } from './pl-comment';
import './pl-comment';
import './pl-composer';

/** Loads the elements of proposals (proposal-elements.ts): the timeline's, and the page's panel of open ones. */
export const loadProposalElements = () => import('./proposal-elements');

/** What the rows of one thread's timeline are drawn with. */
export interface TimelineContext {
  thread: Thread;
  /** The viewer's user id ('' when unknown). */
  viewerId: string;
  /** Whether the viewer may delete others' comments (the group's `moderateComments`). */
  canModerate: boolean;
  /** Who the reply composer offers to mention. */
  members: Mentionable[];
  /** The comment being replied to: its conversation shows a reply composer. */
  replyTo: ReplyDetail | null;
  /** Saves comment edits. */
  store: ThreadStore | null;
  /** Proposals seen open during this visit: closed while the reader looked, they stay in full. */
  seenOpen: ReadonlySet<string>;
  /** Proposals whose own row is in the loaded timeline: their current outcome is read there. */
  proposalRows: ReadonlySet<string>;
}

/**
 * One row of a thread page's timeline (`<li>` of `ol.rows`): the divider, the
 * "started this thread" line, a proposal, an outcome, or a conversation (a
 * comment, its replies and the reply composer). Templates only: the events of
 * the comments and the reply composer (`pl-reply`, `pl-comment-delete`,
 * `pl-comment-changed`, `pl-comment-posted`, `pl-thread-closed`, `pl-cancel`)
 * bubble to the page, which listens on the list.
 */
export function timelineRow(row: TimelineRow, ctx: TimelineContext): TemplateResult {
  const { thread, replyTo } = ctx;
  switch (row.type) {
    case 'divider':
      return html`<li class="divider" data-divider>
        <span>${row.count > 0 ? t('New since your last visit ({count})', { count: row.count }) : t('New since your last visit')}</span>
      </li>`;
    case 'thread':
      return html`<li class="event">
        ${thread.author ? t('{name} started this thread', { name: thread.author.name }) : t('A former member started this thread')}
        <time datetime=${row.item.at} title=${absoluteTime(row.item.at)}>${relativeTime(row.item.at)}</time>
      </li>`;
    case 'proposal':
      return html`<li data-event-id=${row.item.eventId} data-proposal-id=${row.item.proposal?.id ?? ''}>
        ${proposalCard(row.item, ctx)}
      </li>`;
    case 'outcome':
      return outcomeRow(row.item, ctx);
    case 'comment': {
      const top = row.entry.comment;
      const replying = replyTo && replyTo.topLevelId === top.id && thread.closedAt === null;
      return html`<li class="conversation" data-event-id=${row.entry.item.eventId}>
        ${row.orphan ? html`<p class="orphan-note muted small">${t('A reply to an earlier comment')}</p>` : nothing}
        ${comment(row.entry, ctx, row.orphan)}
        ${
          row.replies.length > 0
            ? html`<ol
              class="replies"
              aria-label=${top.author ? t('Replies to {name}', { name: top.author.name }) : t('Replies to a former member')}
            >
              ${repeat(
                row.replies,
                (r) => r.comment.id,
                (r) => html`<li>${comment(r, ctx, true)}</li>`,
              )}
            </ol>`
            : nothing
        }
        ${
          replying
            ? html`<div class="reply-composer">
              <pl-composer
                compact
                .threadId=${thread.id}
                .parentId=${replyTo.commentId}
                .members=${ctx.members}
                .prefill=${replyTo.handle ? `@${replyTo.handle} ` : ''}
                label=${top.author ? t('Reply to {name}', { name: top.author.name }) : t('Reply to this comment')}
              ></pl-composer>
            </div>`
            : nothing
        }
      </li>`;
    }
  }
}

function comment(entry: CommentEntry, ctx: TimelineContext, reply: boolean) {
  return html`<pl-comment
    id="comment-${entry.comment.id}"
    .comment=${entry.comment}
    .viewerId=${ctx.viewerId}
    .canModerate=${ctx.canModerate}
    .closed=${ctx.thread.closedAt !== null}
    .isNew=${entry.isNew}
    ?reply=${reply}
    .store=${ctx.store}
  ></pl-comment>`;
}

/**
 * A proposal: the full card while open, and when it closed while the reader
 * looked (it stays as it was); closed before, collapsed to what was decided.
 */
function proposalCard(item: TimelineItem, ctx: TimelineContext) {
  const p = item.proposal;
  if (!p) return nothing;
  void defineOnDemand(loadProposalElements);
  if (p.closedAt && !ctx.seenOpen.has(p.id))
    return html`<pl-closed-proposal .proposal=${p}></pl-closed-proposal>`;
  return html`<pl-proposal-card .proposal=${p}></pl-proposal-card>`;
}

/**
 * An outcome stated. When the proposal's own row shows this very statement,
 * the row only says it was stated (the statement is read once); a statement
 * since replaced, or one whose proposal is in a page not loaded, is shown in full.
 */
function outcomeRow(item: TimelineItem, ctx: TimelineContext) {
  const p = item.proposal;
  if (!p) return html`<li data-event-id=${item.eventId}></li>`;
  if (ctx.proposalRows.has(p.id) && outcomeIsCurrent(item.outcome, p)) {
    const author = (item.outcome ?? p.outcome)?.author;
    return html`<li class="event" data-event-id=${item.eventId}>
      <span
        >${
          author
            ? t('{name} stated the outcome of “{title}”', { name: author.name, title: p.title })
            : t('A former member stated the outcome of “{title}”', { title: p.title })
        }</span
      >
      <time datetime=${item.at} title=${absoluteTime(item.at)}>${relativeTime(item.at)}</time>
    </li>`;
  }
  // The statement made at that point; a later outcome may have replaced it in `proposal.outcome`.
  const proposal = item.outcome ? { ...p, outcome: item.outcome } : p;
  void defineOnDemand(loadProposalElements);
  return html`<li data-event-id=${item.eventId}><pl-outcome .proposal=${proposal}></pl-outcome></li>`;
}
