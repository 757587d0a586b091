import { createHmac, timingSafeEqual } from 'node:crypto';
import { SOURCE_LOCALE, type Translator } from '../../shared/i18n';
import type { Config } from '../config';

/** What an email says; every string is plain text and is escaped here. */
export interface EmailContent {
  /** The line inboxes show beside the subject; hidden in the body. */
  preheader?: string;
  heading: string;
  paragraphs: string[];
  /** A quoted passage (the comment or proposal itself), shown set apart. */
  quote?: string;
  /** Lists under headings, after the paragraphs: a digest's groups and what happened in each. */
  sections?: EmailSection[];
  /** The one call to action: straight to the item. */
  button?: { label: string; url: string };
  /** Why the member got this and how to change that. */
  footer?: string;
  /** A link in the footer (email preferences), shown after it. */
  footerLink?: { label: string; url: string };
}

/** One heading and its items, each a line of text linking to the item. */
export interface EmailSection {
  heading: string;
  items: { text: string; url: string; detail?: string }[];
}

/** Absolute base of every link in an email. */
export function baseUrl(config: Config): string {
  return config.publicUrl ?? `http://localhost:${config.port}`;
}

/**
 * The `Intl` locale an email writes dates in: English ones the British way
 * ("Friday, 4 December 2026"), as they always were; others as their language does.
 */
export function dateLocale(tr: Translator): string {
  return tr.locale === SOURCE_LOCALE ? 'en-GB' : tr.locale;
}

/** Where members change what they get. */
export function preferencesUrl(config: Config): string {
  return `${baseUrl(config)}/settings/email`;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML: nothing in it is markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Only http(s) links go into an href: anything else becomes "#". */
function safeHref(url: string): string {
  return /^https?:\/\//i.test(url) ? escapeHtml(url) : '#';
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/**
 * The plain-text and HTML parts of an email. The HTML is a table layout with
 * inline styles only and no images, which Gmail (which strips <style>) and
 * Outlook (which renders with Word) both keep as meant. `lang` is the
 * language the content is written in (`<html lang>`).
 */
export function renderEmail(
  content: EmailContent,
  lang: string = SOURCE_LOCALE,
): { text: string; html: string } {
  const text = [
    content.heading,
    '',
    ...content.paragraphs.flatMap((p) => [p, '']),
    ...(content.sections ?? []).flatMap((s) => [
      s.heading,
      '='.repeat(Math.min(s.heading.length, 60)),
      ...s.items.flatMap((i) => [`- ${i.text}`, ...(i.detail ? [`  ${i.detail}`] : []), `  ${i.url}`]),
      '',
    ]),
    ...(content.quote ? [...content.quote.split('\n').map((l) => `> ${l}`), ''] : []),
    ...(content.button ? [`${content.button.label}: ${content.button.url}`, ''] : []),
    ...(content.footer || content.footerLink ? ['--'] : []),
    ...(content.footer ? [content.footer] : []),
    ...(content.footerLink ? [`${content.footerLink.label}: ${content.footerLink.url}`] : []),
  ]
    .join('\n')
    .trimEnd();

  const paragraphs = content.paragraphs
    .map(
      (p) =>
        `<p style="margin:0 0 16px;${FONT};font-size:16px;line-height:24px;color:#1f2328">${multiline(p)}</p>`,
    )
    .join('');
  const sections = (content.sections ?? [])
    .map(
      (s) =>
        `<h2 style="margin:8px 0 8px;${FONT};font-size:17px;line-height:24px;font-weight:600;color:#1f2328">${escapeHtml(s.heading)}</h2>` +
        `<ul style="margin:0 0 20px;padding:0 0 0 20px;${FONT};font-size:15px;line-height:22px;color:#1f2328">` +
        s.items
          .map(
            (i) =>
              `<li style="margin:0 0 8px"><a href="${safeHref(i.url)}" target="_blank" style="color:#0969da;text-decoration:underline">${escapeHtml(i.text)}</a>` +
              `${i.detail ? `<br><span style="color:#57606a">${multiline(i.detail)}</span>` : ''}</li>`,
          )
          .join('') +
        '</ul>',
    )
    .join('');
  const quote = content.quote
    ? `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 20px"><tr>` +
      `<td style="border-left:4px solid #d0d7de;padding:4px 0 4px 14px;${FONT};font-size:15px;line-height:22px;color:#424a53">` +
      `${multiline(content.quote)}</td></tr></table>`
    : '';
  const button = content.button
    ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px"><tr>` +
      `<td align="center" bgcolor="#1a7f37" style="border-radius:6px;background:#1a7f37">` +
      `<a href="${safeHref(content.button.url)}" target="_blank" style="display:inline-block;padding:12px 22px;` +
      `${FONT};font-size:16px;font-weight:600;line-height:20px;color:#ffffff;text-decoration:none;border-radius:6px">` +
      `${escapeHtml(content.button.label)}</a></td></tr></table>`
    : '';
  const footerLink = content.footerLink
    ? ` <a href="${safeHref(content.footerLink.url)}" style="color:#57606a;text-decoration:underline">${escapeHtml(content.footerLink.label)}</a>`
    : '';
  const footer =
    content.footer || content.footerLink
      ? `<tr><td style="padding:16px 32px 28px;border-top:1px solid #d8dee4;${FONT};font-size:13px;line-height:20px;color:#57606a">` +
        `${content.footer ? escapeHtml(content.footer) : ''}${footerLink}</td></tr>`
      : '';
  const preheader = content.preheader
    ? `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">${escapeHtml(content.preheader)}</div>`
    : '';
  const html =
    `<!DOCTYPE html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(content.heading)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f6f8fa">${preheader}` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f6f8fa" style="background:#f6f8fa"><tr><td align="center" style="padding:24px 12px">` +
    `<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="width:100%;max-width:600px;background:#ffffff;border:1px solid #d8dee4;border-radius:8px">` +
    `<tr><td style="padding:28px 32px 8px">` +
    `<h1 style="margin:0 0 16px;${FONT};font-size:20px;line-height:28px;font-weight:600;color:#1f2328">${escapeHtml(content.heading)}</h1>` +
    `${paragraphs}${sections}${quote}${button}</td></tr>${footer}</table></td></tr></table></body></html>`;
  return { text, html };
}

function multiline(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, '<br>');
}

const keys = new Map<string, Buffer>();
/** The key unsubscribe links are signed with: derived, so the session secret itself never signs anything public. */
function unsubscribeKey(config: Config): Buffer {
  let key = keys.get(config.sessionSecret);
  if (!key) {
    key = createHmac('sha256', config.sessionSecret).update('plenary:unsubscribe:v1').digest();
    keys.set(config.sessionSecret, key);
  }
  return key;
}

function sign(config: Config, payload: string): string {
  return createHmac('sha256', unsubscribeKey(config)).update(payload).digest('base64url');
}

/** `userId.groupId.signature`: names what to stop without a table; only this server can make one. */
export function unsubscribeToken(config: Config, userId: string, groupId: string): string {
  const payload = `${userId}.${groupId}`;
  return `${payload}.${sign(config, payload)}`;
}

/** The member and group an unsubscribe token names, or null when it is not one this server signed. */
export function readUnsubscribeToken(
  config: Config,
  token: string,
): { userId: string; groupId: string } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [userId, groupId, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(config, `${userId}.${groupId}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { userId, groupId };
}

export function unsubscribeUrl(config: Config, userId: string, groupId: string): string {
  return `${baseUrl(config)}/api/v1/unsubscribe?token=${encodeURIComponent(unsubscribeToken(config, userId, groupId))}`;
}

/**
 * What an unsubscribe token names in place of a group when it stops the
 * member's digest (which covers all their groups): never a uuid, so never a group.
 */
export const DIGEST_UNSUBSCRIBE = 'digest';

/** One-click unsubscribe headers for a digest: the link turns the member's digest off. */
export function digestUnsubscribeHeaders(config: Config, userId: string): Record<string, string> {
  return unsubscribeHeaders(config, userId, DIGEST_UNSUBSCRIBE);
}

/** RFC 8058 one-click unsubscribe headers: mail clients show an "Unsubscribe" button that POSTs the URL. */
export function unsubscribeHeaders(config: Config, userId: string, groupId: string): Record<string, string> {
  return {
    'List-Unsubscribe': `<${unsubscribeUrl(config, userId, groupId)}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
