import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const COMPRESSIBLE = /\.(js|css|svg|json|webmanifest)$/;

/**
 * Writes a Brotli and a gzip copy next to every script and stylesheet, compressed once at
 * the highest levels; the server sends the copy the browser accepts. The HTML pages are
 * filled in per request and compressed as they are sent.
 */
export function precompress(): Plugin {
  return {
    name: 'sipas-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const outDir = options.dir!;
      for (const [file, item] of Object.entries(bundle)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const content = item.type === 'chunk' ? item.code : item.source;
        const target = path.join(outDir, file);
        await writeFile(
          `${target}.br`,
          brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        await writeFile(`${target}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}
