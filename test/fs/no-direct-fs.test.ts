/**
 * Every disk access of the library goes through the FileSystem interface
 * (DESIGN §3, crash-consistency R0): no module outside lib/fs imports node:fs,
 * so that the simulated and fault-injecting file systems see every call the
 * engine makes. The command-line tool (lib/cli) is exempt: it reads and
 * writes the user's own files (exports, imports, proofs), never the
 * database's, which it opens through the library.
 */
import test from 'tape'
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { filesUnder } from '../util/files'

const ROOT = join(__dirname, '..', '..', '..')
const IMPORT = /(?:from\s+|require\(\s*|import\(\s*)['"](?:node:)?fs(?:\/promises)?['"]/

test('no module outside lib/fs imports node:fs', t => {
  const files = [...filesUnder(join(ROOT, 'lib'), '.ts'), join(ROOT, 'index.ts'), join(ROOT, 'verify.ts')]
    .map(path => relative(ROOT, path))
    .filter(path => !path.startsWith(join('lib', 'fs')) && !path.startsWith(join('lib', 'cli')))
  const offenders = files.filter(path => IMPORT.test(readFileSync(join(ROOT, path), 'utf8')))
  t.ok(files.length > 30, `${files.length} modules checked`)
  t.same(offenders, [], 'none imports node:fs')
  t.ok(IMPORT.test("import { promises } from 'node:fs'") && IMPORT.test("require('fs')") && !IMPORT.test('// wraps node:fs'), 'the pattern finds imports, not mentions')
  t.end()
})
