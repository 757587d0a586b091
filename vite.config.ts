import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

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

/**
 * The web client. `npm run build` writes dist/client, which the server serves
 * with an SPA fallback; `npm run dev` (server/dev.ts) runs this dev server in
 * front of the API and proxies /api, websocket included.
 */
export default defineConfig({
  root: 'client',
  plugins: [precompress()],
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
