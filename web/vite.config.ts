// `npm run web`: a static build in web/dist (relative URLs, so any static host serves it), previewed
// on localhost. The pages are cross-origin isolated (COOP/COEP, here and in public/_headers for
// hosts that read it), so the CPU backend's Web Worker gets SharedArrayBuffer and a second thread.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root,
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Never inline the CPU kernels' worker script as a data: URL: a worker from one has an opaque origin.
    assetsInlineLimit: 0,
    rollupOptions: { input: { main: `${root}index.html`, kernels: `${root}kernels.html` } },
  },
  worker: { format: 'es' },
  server: { headers: isolation, host: '127.0.0.1', port: 5173 },
  preview: { headers: isolation, host: '127.0.0.1', port: 4173 },
});
