/**
 * Every disk access of the library goes through the FileSystem interface
 * (docs/CRASH-SAFETY.md, guarantee 15): no module outside lib/fs imports node:fs,
 * so that the simulated and fault-injecting file systems see every call the
 * engine makes. The command-line tool (lib/cli) is exempt: it reads and
 * writes the user's own files (exports, imports, proofs), never the
 * database's, which it opens through the library.
 */
import test from 'tape'
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { filesUnder } from '../util/files'

const ROOT = join(__dirname, '..', '..', '..')
const RELATIVE_IMPORT = /(?:from\s+|import\s+|require\(\s*|import\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g
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

test('no module of the library imports test code', t => {
  const files = [...filesUnder(join(ROOT, 'lib'), '.ts'), join(ROOT, 'index.ts'), join(ROOT, 'verify.ts')]
  // The command-line tool reads its version from package.json (three levels up from dist/lib/cli).
  const inside = (target: string): boolean => target.startsWith(join(ROOT, 'lib') + sep) || target === join(ROOT, 'index') || target === join(ROOT, 'verify')
  const offenders = files.flatMap(path => [...readFileSync(path, 'utf8').matchAll(RELATIVE_IMPORT)]
    .map(([, target]) => ({ path: relative(ROOT, path), target }))
    .filter(({ path, target }) => !inside(resolve(join(ROOT, dirname(path)), target)) && !(path === join('lib', 'cli', 'main.ts') && target === '../../../package.json')))
  t.same(offenders, [], 'every relative import of lib/, index.ts and verify.ts stays within them')
  const users = [...filesUnder(join(ROOT, 'benchmarks'), '.ts'), ...filesUnder(join(ROOT, 'demo'), '.ts')]
  const intoTests = users.flatMap(path => [...readFileSync(path, 'utf8').matchAll(RELATIVE_IMPORT)]
    .filter(([, target]) => resolve(dirname(path), target).startsWith(join(ROOT, 'test') + sep))
    .map(([, target]) => `${relative(ROOT, path)} -> ${target}`))
  t.same(intoTests, [], `none of ${users.length} benchmark and demo modules imports test code`)
  t.same(filesUnder(join(ROOT, 'lib', 'fs'), '.ts').map(path => relative(join(ROOT, 'lib', 'fs'), path)).filter(path => path.includes(sep) || /sim|kill/.test(path)), [],
    'lib/fs holds no test doubles')
  t.end()
})
