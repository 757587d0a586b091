/** The messages the code shows, as the catalogue test and its helpers find them. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type MessageFormatElement, parse, TYPE } from '@formatjs/icu-messageformat-parser';

const root = path.resolve(import.meta.dirname, '../..');
const sourceDirs = ['client', 'shared', 'server'];

export function sourceFiles(dirs: readonly string[] = sourceDirs): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
      .map((e) => path.join(e.parentPath, e.name)),
  );
}

// `t(` or `m(` not preceded by a name character, then a string literal.
const CALL = /(?<![\w$#])(?:t|m|tMarkup)\(\s*('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\$]|\\.)*`)/g;

/** Each message in the code, with where it was first seen. */
export function messagesInCode(files: readonly string[] = sourceFiles()): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(CALL)) {
      const message = new Function(`return ${match[1]}`)() as string;
      const line = text.slice(0, match.index).split('\n').length;
      if (!found.has(message)) found.set(message, `${path.relative(root, file)}:${line}`);
    }
  }
  return found;
}

/** The names a message fills in (`{count}`, `{count, plural, …}`, `{name, select, …}`), and its tags. */
export function placeholders(message: string): string[] {
  const names = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const e of elements) {
      if (e.type === TYPE.literal || e.type === TYPE.pound) continue;
      names.add(e.value);
      if (e.type === TYPE.plural || e.type === TYPE.select) {
        for (const option of Object.values(e.options)) walk(option.value);
      }
      if (e.type === TYPE.tag) walk(e.children);
    }
  };
  walk(parse(message));
  return [...names].sort();
}
