import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Modules that import each other in a circle load half-initialised (whichever the loader reaches
 * first sees `undefined` exports of the other), and cannot be understood or tested one at a time.
 * `import type` counts too: it vanishes at runtime, but the tangle it describes does not.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER = path.join(ROOT, 'server');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

// Statements that begin a line: `import … from`, `import type … from`, `export … from` and
// `import '…'`, which leaves alone what comments and strings say; and `import('…')` anywhere.
const SPECIFIERS = [
  /^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The file a relative specifier names, the way TypeScript's bundler resolution finds it. */
function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')];
  return candidates.find((file) => file.endsWith('.ts') && existsSync(file));
}

/** Every server module and the server modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourcesUnder(SERVER)) {
    const code = readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const pattern of SPECIFIERS) {
      for (const match of code.matchAll(pattern)) {
        const target = resolve(file, match[1]!);
        if (target?.startsWith(SERVER)) targets.add(target);
      }
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** The strongly connected components with more than one module, or a module importing itself (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** One concrete loop through a component, `a → b → … → a`, shortest from its first module. */
function loopThrough(graph: Map<string, string[]>, component: string[]): string[] {
  const inside = new Set(component);
  const start = component[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!inside.has(next)) continue;
      if (next === start) {
        const loop = [node];
        while (loop[0] !== start) loop.unshift(cameFrom.get(loop[0]!)!);
        return [...loop, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

const name = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

describe('the server modules', () => {
  const graph = importGraph();

  it('finds the modules and their imports', () => {
    const context = path.join(SERVER, 'services', 'context.ts');
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get(path.join(SERVER, 'services', 'comments.ts'))).toContain(context);
  });

  it('finds a circle where there is one', () => {
    const a = path.join(SERVER, 'a.ts');
    const b = path.join(SERVER, 'b.ts');
    const c = path.join(SERVER, 'c.ts');
    const tangled = new Map([
      [a, [b]],
      [b, [c]],
      [c, [a, b]],
    ]);
    expect(circles(tangled).map((component) => loopThrough(tangled, component).map(name))).toEqual([
      ['server/a.ts', 'server/b.ts', 'server/c.ts', 'server/a.ts'],
    ]);
  });

  it('include no services module that imports, through others, a module importing it', () => {
    const services = `${path.join(SERVER, 'services')}${path.sep}`;
    const tangles = circles(graph)
      .filter((component) => component.some((file) => file.startsWith(services)))
      .map(
        (component) =>
          `${loopThrough(graph, component).map(name).join(' → ')}; tangled together: ${component.map(name).join(', ')}`,
      );
    expect(tangles).toEqual([]);
  });
});
