import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin, type Rollup } from 'vite';

/**
 * Writes a `.br` and a `.gz` beside every text asset of the build, which the
 * server sends (`@fastify/static` `preCompressed`) to browsers that accept
 * them: a thread page's scripts travel as ~90 KiB instead of ~290, compressed
 * once at build time rather than on every request.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'plenary-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async writeBundle(_options, bundle) {
      const files = [...Object.keys(bundle)].filter((f) => /\.(js|css|html|svg|json|txt)$/.test(f));
      await Promise.all(
        files.map(async (file) => {
          const full = path.join(outDir, file);
          const content = await readFile(full);
          const [br, gz] = await Promise.all([
            promisify(brotliCompress)(content, {
              params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
            }),
            promisify(gzip)(content, { level: 9 }),
          ]);
          await Promise.all([writeFile(`${full}.br`, br), writeFile(`${full}.gz`, gz)]);
        }),
      );
    },
  };
}

/** Every file under `dir`, as paths relative to it with `/` separators. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/**
 * Builds client/sw.ts as `/sw.js`, unhashed, beside the app, and writes the
 * app shell into it: index.html, the entry script with every script it
 * imports statically, their styles, and the files of client/public (manifest,
 * icons). The pages' own chunks are left out (they are cached as they are
 * first fetched). The shell's version is a hash of those files' contents, so a
 * release that changes any of them changes sw.js, and browsers install it.
 */
function serviceWorker(): Plugin {
  let root = '';
  let publicDir = '';
  return {
    name: 'plenary-service-worker',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      publicDir = config.publicDir;
    },
    buildStart() {
      this.emitFile({ type: 'chunk', id: path.join(root, 'sw.ts'), fileName: 'sw.js' });
    },
    async generateBundle(_options, bundle) {
      const sw = bundle['sw.js'];
      if (sw?.type !== 'chunk') throw new Error('sw.js was not built');
      if (sw.imports.length > 0) throw new Error(`sw.js must import nothing (it imports ${sw.imports})`);
      const entry = Object.values(bundle).find(
        (f): f is Rollup.OutputChunk => f.type === 'chunk' && f.isEntry && f.fileName !== 'sw.js',
      );
      if (!entry) throw new Error('the app entry chunk is missing from the bundle');
      const scripts = new Set<string>();
      const visit = (fileName: string) => {
        if (scripts.has(fileName)) return;
        scripts.add(fileName);
        const chunk = bundle[fileName];
        if (chunk?.type === 'chunk') chunk.imports.forEach(visit);
      };
      visit(entry.fileName);
      const styles = [...scripts].flatMap((f) => {
        const chunk = bundle[f] as Rollup.OutputChunk;
        return [...(chunk.viteMetadata?.importedCss ?? [])];
      });
      const publicFiles = (await filesUnder(publicDir).catch(() => [])).filter((f) => !f.startsWith('.'));
      const built = ['index.html', ...scripts, ...styles];
      const hash = createHash('sha256');
      for (const f of built) {
        const out = bundle[f];
        hash.update(f).update(out?.type === 'chunk' ? out.code : (out?.source ?? ''));
      }
      for (const f of publicFiles) hash.update(f).update(await readFile(path.join(publicDir, f)));
      const shell = {
        version: hash.digest('hex').slice(0, 16),
        files: [...built, ...publicFiles].map((f) => `/${f}`),
      };
      const placeholder = /(["'`])__PLENARY_SHELL__\1/;
      if (!placeholder.test(sw.code)) throw new Error('sw.js lost its __PLENARY_SHELL__ placeholder');
      sw.code = sw.code.replace(placeholder, () => JSON.stringify(JSON.stringify(shell)));
    },
  };
}

/**
 * The web client. `npm run build` writes dist/client, which the server serves
 * with an SPA fallback; `npm run dev` (server/dev.ts) runs this dev server in
 * front of the API and proxies /api, websocket included.
 */
export default defineConfig({
  root: 'client',
  // The service worker is finished (its shell written in) before its .br and .gz are made.
  plugins: [serviceWorker(), precompress()],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    port: 5173,
    strictPort: true,
    // The Host header stays the dev server's, so the API's CSRF check
    // (Origin must name the host) and invitation links both see :5173.
    proxy: { '/api': { target: 'http://localhost:3000', ws: true } },
  },
});
