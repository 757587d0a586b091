import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// scrypt is memory-hard; N=2^15, r=8 uses 32 MiB and ~50 ms a hash on one core.
const FULL_COST = 2 ** 15;

/**
 * The test suite signs up thousands of members: at the full cost their
 * hashes were a third of an API test file's time. vitest.config.ts sets this
 * for the suite and every server it starts. A hash keeps the parameters that
 * made it, so checking is the same either way; the server warns when it
 * starts with it set, and test/services/passwords.test.ts checks that new
 * hashes use the full cost without it.
 */
export const INSECURE_TEST_HASHING = process.env.PLENARY_INSECURE_FAST_PASSWORD_HASHING_FOR_TESTS === '1';

const N = INSECURE_TEST_HASHING ? 2 ** 10 : FULL_COST;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEM = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { N: n, r, p, maxmem: MAX_MEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, parameters kept so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Constant-time check of a password against a stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummyHash: Promise<string> | null = null;
/** Spend the same time on an unknown email as on a wrong password, so timing does not reveal accounts. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password');
  await verifyPassword(password, await dummyHash);
}
