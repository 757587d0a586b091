import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPassword, INSECURE_TEST_HASHING, verifyPassword } from '../../server/services/passwords';

const root = path.resolve(import.meta.dirname, '../..');

/** What `hashPassword` makes in a process started with `env`, as a server started by an operator would. */
function hashInProcess(env: NodeJS.ProcessEnv): string {
  const script =
    "import('./server/services/passwords.ts').then(async (m) => console.log(await m.hashPassword('a long password')))";
  return execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: root,
    env,
    encoding: 'utf8',
  }).trim();
}

describe('password hashing', () => {
  it('uses scrypt at N=2^15, r=8 without the test switch, and keeps the parameters in the hash', () => {
    const env = { ...process.env };
    delete env.PLENARY_INSECURE_FAST_PASSWORD_HASHING_FOR_TESTS;
    expect(hashInProcess(env)).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  });

  it('the suite runs with the cheaper cost, and a hash of either cost verifies', async () => {
    expect(INSECURE_TEST_HASHING).toBe(true);
    const full = hashInProcess({ ...process.env, PLENARY_INSECURE_FAST_PASSWORD_HASHING_FOR_TESTS: '' });
    expect(await verifyPassword('a long password', full)).toBe(true);
    expect(await verifyPassword('a wrong password', full)).toBe(false);
    const cheap = await hashPassword('a long password');
    expect(cheap).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('a long password', cheap)).toBe(true);
  });
});
