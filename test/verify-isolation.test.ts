/**
 * merkle-level/verify stands alone: a child process in which node:fs,
 * node:crypto, abstract-level (and every other Node built-in the verifier has
 * no business with) throw when required, and `Buffer` is gone, loads
 * dist/verify.js, verifies golden proofs and change proofs and recomputes
 * golden roots.
 * @noble/hashes gets an empty module for node:crypto, as a browser bundler
 * gives it (its own package.json asks for that).
 */
import test from 'tape'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const fixtures = join(__dirname, '..', '..', 'test', 'fixtures')

const script = `
const Module = require('module')
const forbidden = /^(node:)?(fs|fs\\/promises|crypto|child_process|net|path|os|worker_threads)$|^abstract-level|^classic-level|^memory-level/
const load = Module._load
Module._load = function (request, parent, ...rest) {
  // @noble/hashes asks for node:crypto only for random bytes; its package.json maps it to nothing
  // in browsers ("browser": { "node:crypto": false }), and so does this hook.
  if (request === 'node:crypto' && parent && /node_modules[\\/]@noble[\\/]hashes/.test(parent.filename)) return {}
  if (forbidden.test(request)) throw new Error('forbidden module: ' + request)
  return load.call(this, request, parent, ...rest)
}
const proofs = JSON.parse(process.argv[2])
const roots = JSON.parse(process.argv[3])
delete globalThis.Buffer
const verify = require(process.argv[1])
const hex = s => Uint8Array.from(s.match(/../g) || [], h => parseInt(h, 16))
const toHex = b => Array.from(b, x => x.toString(16).padStart(2, '0')).join('')
let verified = 0
let rejected = 0
for (const p of proofs) {
  const bytes = hex(p.proof)
  const fact = bytes[1] === 1 ? verify.verifyProof(p.root, bytes) : verify.verifyRangeProof(p.root, bytes)
  if (fact.count === undefined) throw new Error('no count')
  verified++
  for (const bad of p.invalid) {
    try { bytes[1] === 1 ? verify.verifyProof(p.root, hex(bad.hex)) : verify.verifyRangeProof(p.root, hex(bad.hex)) } catch (err) {
      if (err.code !== bad.code) throw new Error('wrong code ' + err.code)
      rejected++
      continue
    }
    throw new Error('accepted an invalid proof')
  }
}
const changes = JSON.parse(process.argv[4])
let changed = 0
for (const c of changes) {
  const fact = verify.verifyChangeProof(hex(c.proof), { from: c.from, to: c.to })
  if (fact.ops.length !== c.ops.length || fact.countAfter !== c.countAfter) throw new Error('wrong change ' + c.name)
  changed++
  for (const bad of c.invalid) {
    try { verify.verifyChangeProof(hex(bad.hex), { from: c.from, to: c.to }) } catch (err) {
      if (err.code !== bad.code) throw new Error('wrong code ' + err.code)
      rejected++
      continue
    }
    throw new Error('accepted an invalid change proof')
  }
}
let roots_ = 0
for (const set of roots) {
  const root = verify.computeRoot(set.entries.map(([k, v]) => ({ key: hex(k), value: hex(v) })), hex(set.salt))
  if (toHex(root) !== set.root) throw new Error('root differs for ' + set.name)
  roots_++
}
const loaded = Object.keys(require.cache).map(f => f.replace(/.*node_modules\\//, '')).filter(f => !f.startsWith('/'))
console.log(JSON.stringify({ verified, changed, rejected, roots: roots_, packages: [...new Set(loaded.map(f => f.split('/').slice(0, f.startsWith('@') ? 2 : 1).join('/')))] }))
`

test('the verifier loads and runs without node:fs, node:crypto, abstract-level or Buffer', t => {
  const changes = require(join(fixtures, 'merkle-change-proofs.json')).proofs as unknown[]
  const proofs = require(join(fixtures, 'merkle-proofs.json')).proofs as unknown[]
  const roots = require(join(fixtures, 'merkle-roots.json')).sets as unknown[]
  const child = spawnSync(process.execPath, ['-e', script, join(__dirname, '..', 'verify.js'), JSON.stringify(proofs), JSON.stringify(roots), JSON.stringify(changes)], { encoding: 'utf8' })
  t.equal(child.status, 0, `exit 0${child.stderr !== '' ? ': ' + child.stderr.slice(0, 500) : ''}`)
  const out = JSON.parse(child.stdout) as { verified: number, changed: number, rejected: number, roots: number, packages: string[] }
  t.equal(out.verified, proofs.length, `${out.verified} golden proofs verified`)
  t.equal(out.changed, changes.length, `${out.changed} golden change proofs verified`)
  t.ok(out.rejected >= 140, `${out.rejected} invalid variants rejected with their codes`)
  t.equal(out.roots, roots.length, `${out.roots} golden roots recomputed`)
  t.same(out.packages.sort(), ['@noble/hashes', 'module-error'], 'the only packages loaded')
  t.end()
})
