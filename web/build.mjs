// build.mjs OUTDIR: bundles src/main.js (with JsSIP) into OUTDIR/app.js with
// esbuild and copies index.html, app.css and icon.svg beside it. Run by the
// CMake target `web` (web/CMakeLists.txt) after `npm ci`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs OUTDIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src/main.js')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  logLevel: 'warning',
});
for (const f of ['index.html', 'app.css', 'icon.svg']) {
  copyFileSync(join(here, 'src', f), join(out, f));
}
