import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config';

/*
 * A reply address names the notification the email was about:
 * `reply+<base32(notification id ‖ MAC)>@REPLY_DOMAIN`.
 *
 * Why the notification and not (user, thread, comment): the notification row
 * already holds all three, plus when it was made (so addresses expire with no
 * date in them), and it disappears with the account. Its 16-byte id and an
 * 80-bit MAC make 26 bytes, 42 base32 characters: `reply+` and the token are 48,
 * inside SMTP's 64-character limit for a local part, where three uuids and a MAC
 * would not fit. No table is written per email sent (a proposal to 2,000
 * members stays one insert), and only this server can make an address: 80 bits
 * are far beyond guessing over SMTP. Lower-case base32, because mail systems
 * treat local parts as case-insensitive in practice.
 */

const MAC_BYTES = 10;
const ID_BYTES = 16;
const TOKEN_CHARS = Math.ceil(((ID_BYTES + MAC_BYTES) * 8) / 5);
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** How long a reply address keeps working after its email was sent. */
export const REPLY_ADDRESS_DAYS = 60;

const keys = new Map<string, Buffer>();
/** Derived with its own label, so no other token this server signs can pass for a reply address. */
function replyKey(config: Config): Buffer {
  let key = keys.get(config.sessionSecret);
  if (!key) {
    key = createHmac('sha256', config.sessionSecret).update('plenary:reply-address:v1').digest();
    keys.set(config.sessionSecret, key);
  }
  return key;
}

function mac(config: Config, id: Buffer): Buffer {
  return createHmac('sha256', replyKey(config)).update(id).digest().subarray(0, MAC_BYTES);
}

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32(text: string): Buffer | null {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of text) {
    const digit = ALPHABET.indexOf(c);
    if (digit === -1) return null;
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  // Only the canonical spelling: otherwise the last character would have look-alikes that decode the same.
  return value === 0 ? Buffer.from(bytes) : null;
}

/** The reply address for an email about notification `notificationId` (a uuid); null without REPLY_DOMAIN. */
export function replyAddress(config: Config, notificationId: string): string | null {
  if (config.replyDomain === null) return null;
  const id = Buffer.from(notificationId.replace(/-/g, ''), 'hex');
  return `reply+${base32(Buffer.concat([id, mac(config, id)]))}@${config.replyDomain}`;
}

/**
 * The notification id a reply address names, or null when it is not one this
 * server made (forged, altered, another domain, not a reply address at all).
 */
export function readReplyAddress(config: Config, address: string): string | null {
  const match = /^reply\+([a-z2-7]+)@([^@\s]+)$/.exec(address.trim().toLowerCase());
  if (!match || match[1]!.length !== TOKEN_CHARS) return null;
  if (config.replyDomain !== null && match[2] !== config.replyDomain) return null;
  const bytes = fromBase32(match[1]!);
  if (!bytes || bytes.length !== ID_BYTES + MAC_BYTES) return null;
  const id = bytes.subarray(0, ID_BYTES);
  if (!timingSafeEqual(bytes.subarray(ID_BYTES), mac(config, id))) return null;
  const hex = id.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
