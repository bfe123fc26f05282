import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (file: string) => fileURLToPath(new URL(`./web/${file}`, import.meta.url));

/**
 * One small entry per audience, so a citizen's phone never downloads the officials' app.
 * The server serves `dist/web`.
 */
export default defineConfig({
  root: 'web',
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2020',
    rollupOptions: {
      input: {
        home: page('index.html'),
      },
    },
  },
});
