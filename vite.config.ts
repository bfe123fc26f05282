import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { entrySize } from './web/build/entry-size.ts';
import { precompress } from './web/build/precompress.ts';

const page = (file: string) => fileURLToPath(new URL(`./web/${file}`, import.meta.url));

/**
 * Two builds into `dist/web`, which the server serves: the citizens' pages (the default)
 * and, with `--mode officials`, the officials' app. Built apart, they share no chunk, so
 * a citizen's phone never downloads code that only the officials' app needs. A third,
 * `--mode ssr`, builds the renderers of the survey and of the public scorecard for the
 * server into `dist/ssr`.
 */
export default defineConfig(({ mode }) => {
  if (mode === 'ssr') {
    return {
      plugins: [svelte({ configFile: false })],
      // Self-contained, so the server needs none of the build's packages to render.
      ssr: { noExternal: true },
      build: {
        ssr: true,
        outDir: 'dist/ssr',
        emptyOutDir: true,
        target: 'node20',
        rollupOptions: {
          input: { render: page('survey/render.ts'), scorecard: page('scorecard/render.ts') },
          output: { entryFileNames: '[name].js' },
        },
      },
    };
  }
  const officials = mode === 'officials';
  const input: Record<string, string> = officials
    ? { officials: page('officials.html') }
    : {
        home: page('index.html'),
        survey: page('survey.html'),
        kiosk: page('kiosk.html'),
        scorecard: page('scorecard.html'),
        sw: page('sw.ts'),
      };
  return {
    root: 'web',
    plugins: [svelte({ configFile: false }), entrySize({ survey: 30 * 1024, scorecard: 2 * 1024 }), precompress()],
    build: {
      outDir: '../dist/web',
      // The citizens' build comes first and starts from an empty folder.
      emptyOutDir: !officials,
      target: 'es2020',
      rollupOptions: {
        input,
        output: {
          // The service worker must keep one address, at the root, to control every page.
          entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
        },
      },
    },
  };
});
