/**
 * The package as users get it: `npm pack`, then install the tarball into a
 * fresh project (from the npm cache, offline) and use it from CommonJS, from
 * ESM and through its command-line tool. The tarball must hold what users
 * need and nothing else (no tests, benchmarks, demo, sources or source maps),
 * the "Look inside" page's built files included.
 */
import test from 'tape'
import { spawnSync } from 'node:child_process'
import type { SpawnSyncReturns } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { tempLocation } from './util/temp'

const ROOT = join(__dirname, '..', '..')
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function npm (args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(NPM, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } })
}

interface PackResult { filename: string, files: Array<{ path: string }> }

/** Shipped dist/ modules whose TypeScript source is not part of the library. */
function withoutSource (paths: string[]): string[] {
  return paths.filter(p => /^dist\/.*\.(js|d\.ts)$/.test(p))
    .map(p => p.replace(/^dist\//, '').replace(/(\.d)?\.ts$|\.js$/, '.ts'))
    .filter(source => !(source.startsWith('lib/') || source.startsWith('web/') || source === 'index.ts' || source === 'verify.ts') || !existsSync(join(ROOT, source)))
}

/**
 * `from './x'` and `require('./x')` in shipped .js and .d.ts files that resolve
 * to no shipped file: a published declaration importing an excluded module
 * breaks every user's type check.
 */
function danglingImports (paths: string[]): string[] {
  const shipped = new Set(paths)
  const dangling: string[] = []
  for (const path of paths.filter(p => p.endsWith('.js') || p.endsWith('.d.ts'))) {
    const text = readFileSync(join(ROOT, path), 'utf8')
    for (const [, target] of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g)) {
      const base = posix.join(posix.dirname(path), target)
      const candidates = path.endsWith('.d.ts') ? [`${base}.d.ts`, `${base}/index.d.ts`] : [`${base}.js`, `${base}/index.js`, base]
      if (!candidates.some(c => shipped.has(c))) dangling.push(`${path} -> ${target}`)
    }
  }
  return dangling
}

const USE = `
const root = await db.root()
await db.put('hello', 'world')
const after = await db.root()
const fact = verifyProof(after, await db.prove('hello'))
console.log(JSON.stringify({ value: await db.get('hello'), present: fact.present, changed: Buffer.from(root).toString('hex') !== Buffer.from(after).toString('hex'), root: Buffer.from(after).toString('hex') }))
await db.close()
`

const CJS = `
const { MerkleLevel } = require('merkle-level')
const { verifyProof } = require('merkle-level/verify')
;(async () => {
  const db = new MerkleLevel(process.argv[2])
  ${USE}
})()
`

const ESM = `
import { MerkleLevel } from 'merkle-level'
import { verifyProof } from 'merkle-level/verify'
const db = new MerkleLevel(process.argv[2])
${USE}
`

// Serves a database from the installed package and fetches the page's three files.
const PAGE = `
const { MerkleLevel, startReplicationServer } = require('merkle-level')
;(async () => {
  const db = new MerkleLevel(process.argv[2])
  const serving = await startReplicationServer(db, { port: 0 })
  const seen = []
  for (const file of ['', 'look.js', 'look.css']) {
    const res = await fetch(serving.url + '/v1/look/' + file)
    await res.arrayBuffer()
    seen.push([res.status, res.headers.get('content-type')])
  }
  await serving.close()
  await db.close()
  console.log(JSON.stringify(seen))
})()
`

test('packaging: npm pack ships what users need and nothing else', t => {
  const destination = tempLocation('pack')
  mkdirSync(destination)
  const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', destination], ROOT)
  t.equal(pack.status, 0, 'npm pack exits 0')
  const [result] = JSON.parse(pack.stdout) as PackResult[]
  const paths = result.files.map(f => f.path)
  for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/verify.js', 'dist/verify.d.ts', 'dist/lib/cli/main.js', 'dist/lib/level/merkle-level.js', 'dist/lib/level/write-options.d.ts',
    'dist/web/look.html', 'dist/web/look.js', 'dist/web/look.css']) {
    t.ok(paths.includes(needed), `ships ${needed}`)
  }
  const unwanted = paths.filter(p => /^(dist\/(test|benchmarks|demo)\/|test\/|benchmarks\/|demo\/|lib\/|web\/|node_modules\/)/.test(p) ||
    p.endsWith('.map') || (p.endsWith('.ts') && !p.endsWith('.d.ts')))
  t.deepEqual(unwanted, [], 'no tests, test doubles, benchmarks, demo, sources or source maps')
  t.deepEqual(withoutSource(paths), [], 'every compiled module shipped has its source in lib/, web/, index.ts or verify.ts (nothing stale or from test/)')
  t.deepEqual(danglingImports(paths), [], 'every relative import of a shipped .js or .d.ts names a shipped file')

  // Install it into a fresh project and use it.
  const project = tempLocation('project')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }))
  const tarball = join(destination, result.filename)
  let install = npm(['install', '--offline', '--no-audit', '--no-fund', tarball], project)
  if (install.status !== 0) {
    t.comment(`offline install failed (a dependency is missing from the npm cache): ${install.stderr.split('\n').find(l => l.includes('ERR')) ?? ''}`)
    install = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project)
  }
  t.equal(install.status, 0, 'npm install of the tarball exits 0')

  writeFileSync(join(project, 'use.cjs'), CJS)
  writeFileSync(join(project, 'use.mjs'), ESM)
  const outputs: string[] = []
  for (const [script, db] of [['use.cjs', 'db-cjs'], ['use.mjs', 'db-esm']]) {
    const run = spawnSync(process.execPath, [script, join(project, db)], { cwd: project, encoding: 'utf8' })
    t.equal(run.status, 0, `${script} exits 0`)
    const parsed = JSON.parse(run.stdout) as { value: string, present: boolean, changed: boolean, root: string }
    t.deepEqual([parsed.value, parsed.present, parsed.changed], ['world', true, true], `${script}: put, get, root and a verified proof`)
    outputs.push(parsed.root)
  }
  t.equal(outputs[0], outputs[1], 'CommonJS and ESM agree on the root')

  writeFileSync(join(project, 'page.cjs'), PAGE)
  const page = spawnSync(process.execPath, ['page.cjs', join(project, 'db-page')], { cwd: project, encoding: 'utf8' })
  t.equal(page.status, 0, `page.cjs exits 0${page.stderr === '' ? '' : ': ' + page.stderr.slice(0, 300)}`)
  t.deepEqual(JSON.parse(page.stdout), [[200, 'text/html; charset=utf-8'], [200, 'text/javascript; charset=utf-8'], [200, 'text/css; charset=utf-8']],
    'the installed package serves the page\'s files')

  const bin = join(project, 'node_modules', '.bin', 'merkle-level')
  const root = spawnSync(bin, ['root', join(project, 'db-cjs')], { encoding: 'utf8' })
  t.equal(root.stdout, `${outputs[0]}\n`, 'the installed merkle-level command reads the database')
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  t.equal(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim(), version.version, 'and knows its version')
  t.end()
})
