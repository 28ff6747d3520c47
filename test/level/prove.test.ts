/**
 * Proofs through the database: db.prove(), db.proveRange() and db.check()
 * with key encodings, sublevels, snapshots taken while writes continue, the
 * salt option, and deferred open.
 */
import test from 'tape'
import { asyncCodeOf } from '../util/codes'
import { MerkleLevel, computeRoot, encodeProof, verifyProof, verifyRangeProof } from '../../index'
import { toHex } from '../../lib/bytes'
import { Tree } from '../../lib/tree/tree'
import { checkTree } from '../../lib/tree/check'
import type { TreeNode } from '../../lib/tree/node'
import type { NodeHashes } from '../../lib/tree/cached-digests'
import { tempLocation } from '../util/temp'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

test('prove and proveRange encode keys like reads, and defer while opening', async t => {
  const db = new MerkleLevel(tempLocation())
  t.ok(db.supports.additionalMethods.prove && db.supports.additionalMethods.proveRange && db.supports.additionalMethods.check, 'in the manifest')
  const early = db.prove('a')
  await db.batch([{ type: 'put', key: 'a', value: 'x' }, { type: 'put', key: 'b', value: 'y' }, { type: 'put', key: 'c', value: 'z' }])
  t.equal((await early).count, 0, 'a call made while opening runs once open (on the empty state)')
  const root = await db.root()
  const fact = verifyProof(root, encodeProof(await db.prove('b')))
  t.equal(fact.present && dec(fact.value), 'y', 'inclusion of b')
  t.equal(verifyProof(root, await db.prove('bb')).present, false, 'absence of bb')
  const range = verifyRangeProof(root, await db.proveRange({ gt: 'a', lte: 'c', reverse: true }))
  t.same(range.entries.map(e => `${dec(e.key)}=${dec(e.value)}`), ['c=z', 'b=y'], 'range (a, c] reversed')
  const limited = verifyRangeProof(root, await db.proveRange({ limit: 2 }))
  t.same(limited.entries.map(e => dec(e.key)), ['a', 'b'], 'limit 2')
  t.same(limited.covered, { lte: enc('b') }, 'a reached limit covers up to the last entry')
  await db.put(1 as never, 'one', { keyEncoding: 'json' } as never)
  const json = verifyProof(await db.root(), await db.prove(1, { keyEncoding: 'json' }))
  t.equal(json.present && dec(json.key), '1', 'a json-encoded key')
  t.equal(await asyncCodeOf(async () => await db.prove(null)), 'LEVEL_INVALID_KEY', 'a null key')
  await db.close()
  t.equal(await asyncCodeOf(async () => await db.prove('a')), 'LEVEL_DATABASE_NOT_OPEN', 'closed')
})

test('a sublevel proves its own keys through the sublevel option', async t => {
  const db = new MerkleLevel(tempLocation())
  const users = db.sublevel('users')
  const admins = users.sublevel('admins')
  await db.put('alice', 'root-level alice')
  await users.put('alice', 'a')
  await users.put('bob', 'b')
  await admins.put('carol', 'c')
  await db.put('zed', 'z')
  const root = await db.root()
  const inSub = verifyProof(root, await db.prove('alice', { sublevel: users }))
  t.equal(dec(inSub.key), '!users!alice', 'the proof speaks of the stored (prefixed) key')
  t.equal(inSub.present && dec(inSub.value), 'a', 'the sublevel\'s value, not the root-level one')
  const nested = verifyProof(root, await db.prove('carol', { sublevel: admins }))
  t.equal(nested.present && dec(nested.key), '!users!!admins!carol', 'a nested sublevel')
  const whole = verifyRangeProof(root, await db.proveRange({}, { sublevel: users }))
  t.same(whole.entries.map(e => dec(e.key)), ['!users!!admins!carol', '!users!alice', '!users!bob'], 'a range without bounds covers exactly the sublevel (nested ones included)')
  t.same(whole.covered, { gte: enc('!users!'), lt: enc('!users"') }, 'the sublevel\'s key space')
  const bounded = verifyRangeProof(root, await db.proveRange({ gte: 'b' }, { sublevel: users }))
  t.same(bounded.entries.map(e => dec(e.key)), ['!users!bob'], 'a lower bound inside the sublevel')
  const other = new MerkleLevel(tempLocation())
  t.equal(await asyncCodeOf(async () => await db.prove('x', { sublevel: other.sublevel('users') as never })), 'LEVEL_INVALID_VALUE', 'a sublevel of another database')
  await other.close()
  await db.close()
})

test('proofs from a snapshot stay valid for its root while writes continue', async t => {
  const db = new MerkleLevel(tempLocation(), { sync: false })
  const keys = Array.from({ length: 200 }, (_, i) => `k${String(i).padStart(3, '0')}`)
  await db.batch(keys.map(key => ({ type: 'put', key, value: `v0-${key}` })))
  const snapshot = db.snapshot()
  const root = await db.root({ snapshot })
  let rounds = 0
  const writer = (async () => {
    for (let round = 1; round <= 40; round++) {
      await db.batch(keys.filter((_, i) => i % 7 === round % 7).map(key => round % 3 === 0 ? { type: 'del', key } : { type: 'put', key, value: `v${round}-${key}` }))
      rounds++
    }
  })()
  let verified = 0
  for (const key of keys) {
    const fact = verifyProof(root, await db.prove(key, { snapshot }))
    if (fact.present && dec(fact.value) === `v0-${key}`) verified++
    if (verified % 50 === 0) await new Promise(resolve => setImmediate(resolve))
  }
  const range = verifyRangeProof(root, await db.proveRange({ gte: 'k050', lt: 'k150' }, { snapshot }))
  await writer
  t.equal(verified, keys.length, `${verified} key proofs from the snapshot verified with their original values`)
  t.equal(range.entries.length, 100, 'a range proof from the snapshot: 100 entries')
  t.equal(rounds, 40, '40 batches written meanwhile')
  const now = await db.root()
  t.notEqual(toHex(now), toHex(root), 'the current root moved on')
  t.equal(await asyncCodeOf(async () => verifyProof(root, await db.prove('k001'))), 'LEVEL_PROOF_ROOT_MISMATCH', 'a current proof fails against the snapshot\'s root')
  t.equal((await db.check({ snapshot })).ok, true, 'the snapshot\'s version checks out')
  await snapshot.close()
  await db.close()
})

test('the salt option: random or given for a new database, kept by an existing one, bound by the root', async t => {
  t.throws(() => new MerkleLevel(tempLocation(), { salt: new Uint8Array(33) }), TypeError, 'a salt longer than 32 bytes')
  t.throws(() => new MerkleLevel(tempLocation(), { salt: 'pepper' as never }), TypeError, 'not a salt')
  const location = tempLocation()
  const salted = new MerkleLevel(location, { salt: 'random' })
  const plain = new MerkleLevel(tempLocation())
  for (const db of [salted, plain]) await db.batch([{ type: 'put', key: 'a', value: '1' }, { type: 'put', key: 'b', value: '2' }])
  const salt = salted.treeParams?.salt as Uint8Array
  t.equal(salt.length, 32, 'a random salt of 32 bytes')
  t.equal(plain.treeParams?.salt.length, 0, 'no salt by default')
  const root = await salted.root()
  t.notEqual(toHex(root), toHex(await plain.root()), 'same contents, another salt: another root')
  t.equal(toHex(computeRoot([{ key: enc('a'), value: enc('1') }, { key: enc('b'), value: enc('2') }], salt)), toHex(root), 'a third party recomputes it from the dump and the salt')
  t.equal(toHex((await salted.prove('a')).salt), toHex(salt), 'proofs carry the salt')
  t.equal(verifyProof(root, await salted.prove('a')).present, true, 'and verify')
  await salted.close()
  await plain.close()
  const reopened = new MerkleLevel(location, { salt: Uint8Array.of(1, 2, 3) })
  await reopened.open()
  t.equal(toHex(reopened.treeParams?.salt as Uint8Array), toHex(salt), 'reopening keeps the database\'s own salt')
  t.equal(toHex(await reopened.root()), toHex(root), 'and its root')
  await reopened.close()
  const given = new MerkleLevel(tempLocation(), { salt: Uint8Array.of(1, 2, 3) })
  await given.open()
  t.equal(toHex(given.treeParams?.salt as Uint8Array), '010203', 'a given salt')
  await given.close()
})

test('check() reports a sound state, and a damaged cached hash', async t => {
  const db = new MerkleLevel(tempLocation())
  await db.batch(Array.from({ length: 500 }, (_, i) => ({ type: 'put' as const, key: `key${i}`, value: `value${i}` })))
  await db.del('key7')
  const report = await db.check()
  t.equal(report.ok, true, 'ok')
  t.same(report.problems, [], 'no problems')
  t.equal(report.entries, 499, '499 entries')
  t.equal(report.root, toHex(await db.root()), 'the root')
  t.ok(report.depth >= 9 && report.depth <= 40, `depth ${report.depth}`)
  t.equal(report.hashesChecked, 499, 'every cached hash checked')
  await db.close()

  let tree = Tree.empty({ salt: new Uint8Array(0) })
  for (let i = 0; i < 50; i++) tree = tree.put(enc(`k${i}`), enc(`v${i}`))
  tree.root()
  const top = tree.top as TreeNode
  ;(top.hashes as NodeHashes).h2 ^= 1
  const damaged = await checkTree(tree)
  t.equal(damaged.ok, false, 'a flipped bit in a cached node hash is found')
  t.same(damaged.problems, [`cached hash wrong at ${toHex(top.key)}`, 'root differs from the one recomputed'], 'the node and the root named')
  ;(top.hashes as NodeHashes).h2 ^= 1
  const leaf = firstLeaf(top)
  ;(leaf.hashes as NodeHashes).v7 ^= 0x10000
  const valueDamaged = await checkTree(tree)
  t.equal(valueDamaged.ok, false, 'a flipped bit in a cached value hash is found')
  t.same(valueDamaged.problems, [`cached value hash wrong at ${toHex(leaf.key)}`], 'the node named (its node hash was made from the right value hash)')
})

function firstLeaf (node: TreeNode): TreeNode {
  while (node.left !== null || node.right !== null) node = (node.left ?? node.right) as TreeNode
  return node
}
