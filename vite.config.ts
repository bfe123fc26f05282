import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { entrySize } from './web/build/entry-size.ts';

const page = (file: string) => fileURLToPath(new URL(`./web/${file}`, import.meta.url));

/**
 * One small entry per audience, so a citizen's phone never downloads the officials' app.
 * The server serves `dist/web`.
 */
export default defineConfig({
  root: 'web',
  plugins: [svelte({ configFile: false }), entrySize({ survey: 30 * 1024 })],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2020',
    rollupOptions: {
      input: {
        home: page('index.html'),
        survey: page('survey.html'),
        kiosk: page('kiosk.html'),
        sw: page('sw.ts'),
      },
      output: {
        // The service worker must keep one address, at the root, to control every page.
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
