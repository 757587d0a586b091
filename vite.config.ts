import { defineConfig } from 'vite';

/**
 * The web client. `npm run build` writes dist/client, which the server serves
 * with an SPA fallback; `npm run dev` (server/dev.ts) runs this dev server in
 * front of the API and proxies /api, websocket included.
 */
export default defineConfig({
  root: 'client',
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
