import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

interface Chunk {
  type: 'chunk';
  code: string;
  isEntry: boolean;
  name: string;
  imports: string[];
  facadeModuleId: string | null;
  viteMetadata?: { importedCss: Set<string> };
}
interface Asset {
  type: 'asset';
  source: string | Uint8Array;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * Prints, for each page entry, what a browser downloads to show it: its JavaScript (the
 * entry and every chunk it imports) and CSS, gzipped; fails the build when an entry goes
 * over its limit, so the citizen survey stays light for cheap phones on slow data.
 */
export function entrySize(limits: Record<string, number>): Plugin {
  return {
    name: 'sipas-entry-size',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = bundle as unknown as Record<string, Chunk | Asset>;
      const gzipped = (file: string) => {
        const item = files[file];
        if (!item) return 0;
        return gzipSync(item.type === 'chunk' ? item.code : item.source).length;
      };
      const rows: string[] = [];
      for (const [file, item] of Object.entries(files)) {
        if (item.type !== 'chunk' || !item.isEntry || !item.facadeModuleId?.endsWith('.html')) continue;
        const js = new Set<string>();
        const css = new Set<string>();
        const visit = (name: string) => {
          const chunk = files[name];
          if (js.has(name) || !chunk || chunk.type !== 'chunk') return;
          js.add(name);
          chunk.viteMetadata?.importedCss.forEach((sheet) => css.add(sheet));
          chunk.imports.forEach(visit);
        };
        visit(file);
        const jsBytes = [...js].reduce((sum, name) => sum + gzipped(name), 0);
        const cssBytes = [...css].reduce((sum, name) => sum + gzipped(name), 0);
        const limit = limits[item.name];
        rows.push(
          `  ${item.name.padEnd(9)} JS ${kb(jsBytes).padStart(8)}   CSS ${kb(cssBytes).padStart(7)}` +
            (limit ? `   (JS limit ${kb(limit)})` : ''),
        );
        if (limit && jsBytes > limit) {
          this.error(
            `the ${item.name} page needs ${kb(jsBytes)} of gzipped JavaScript, over its limit of ${kb(limit)}`,
          );
        }
      }
      console.log(`\nDownload per page (gzip):\n${rows.join('\n')}`);
    },
  };
}
