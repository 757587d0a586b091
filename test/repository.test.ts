import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * A clone anywhere, with nothing beside it, must build, test and run: nothing in the project may
 * read outside its own tree. `.ci/run` proves it by running the suite from a lone copy; this test
 * names the offending line sooner, on every `npm test`.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function trackedSources(): string[] {
  const out = execFileSync(
    'git',
    [
      'ls-files',
      '-z',
      '--cached',
      '--others',
      '--exclude-standard',
      '--',
      '*.ts',
      '*.js',
      '*.mjs',
      '*.json',
      '*.html',
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return out
    .split('\0')
    .filter(Boolean)
    .filter((file) => file !== 'package-lock.json');
}

function isInside(target: string): boolean {
  const relative = path.relative(ROOT, target);
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}

describe('the repository stands alone', () => {
  const files = trackedSources();

  it('finds the sources it checks', () => {
    expect(files).toContain('test/repository.test.ts');
    expect(files.length).toBeGreaterThan(50);
  });

  it('resolves every file URL and relative import inside the repository', () => {
    const escapes: string[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      const here = pathToFileURL(path.join(ROOT, file));
      const literals = [
        ...text.matchAll(/new URL\(\s*['"`]([^'"`]+)['"`]\s*,\s*import\.meta\.url\s*\)/g),
        ...text.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g),
        ...text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g),
      ].map((match) => match[1]!);
      for (const literal of literals) {
        const target = fileURLToPath(new URL(literal, here));
        if (!isInside(target)) escapes.push(`${file}: ${literal}`);
      }
    }
    expect(escapes).toEqual([]);
  });

  it('names no sibling shared/ folder in code, tests or configuration', () => {
    const mentions = files.filter((file) =>
      /\.\.\/shared\/(data|API\.md|seed|STYLE\.md|hooks)/.test(readFileSync(path.join(ROOT, file), 'utf8')),
    );
    expect(mentions).toEqual([]);
  });
});

describe('the locked dependencies run on the Node the project declares', () => {
  // `npm ci` only warns (EBADENGINE) when a locked package wants a newer Node; `.ci/run` fails on
  // the warning, after minutes. This names the package on every `npm test`, before a push.
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    engines: { node: string };
  };
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
  };

  it('accepts the oldest Node in package.json engines for every locked package', () => {
    const oldest = semver.minVersion(manifest.engines.node);
    expect(oldest?.major).toBe(20);
    const refusing: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!where || !wanted || !oldest) continue;
      if (!semver.satisfies(oldest, wanted)) refusing.push(`${where}@${entry.version}: node ${wanted}`);
    }
    expect(refusing).toEqual([]);
  });
});
