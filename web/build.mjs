// Builds the "Look inside" page into dist/web/: the page's script bundled with the verifier
// (merkle-level/verify) for the browser by esbuild, beside its HTML and style sheet. The
// endpoint serves these files (lib/serve/page.ts); run after `tsc -p .` (npm run build).
import { build } from 'esbuild'
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, '..', 'dist', 'web')
mkdirSync(out, { recursive: true })
await build({
  entryPoints: [join(here, 'look.ts')],
  outfile: join(out, 'look.js'),
  bundle: true,
  // The browser field of @noble/hashes maps node:crypto to nothing, as the verifier needs.
  platform: 'browser',
  format: 'iife',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning'
})
for (const file of ['look.html', 'look.css']) copyFileSync(join(here, file), join(out, file))
