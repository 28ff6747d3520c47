/**
 * Roots while writes change nodes in place: db.root() after small writes
 * hashes the current version without closing the engine's open edit, and
 * rehashing writes into the nodes' own hash fields. Interleaved with
 * snapshots, iterators, proofs and large write runs, every root — of the current state and of
 * every snapshot, computed long after it was taken — must equal the root of
 * a fresh tree of the same entries, and the integrity check must pass.
 */
import test from 'tape'
import fc from 'fast-check'
import { tempLocation } from '../util/temp'
import { openBytes, rootOf } from '../util/db'
import { toHex } from '../../lib/bytes'
import { SortedModel } from '../util/model'
import type { MerkleSnapshot } from '../../lib/level/snapshot'
import { verifyProof } from '../../verify'

const key = fc.integer({ min: 0, max: 63 }).map(n => Uint8Array.of(0x6b, n))
const value = fc.uint8Array({ minLength: 1, maxLength: 6 })
const step = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.record({ put: fc.boolean(), key, value }), { minLength: 1, maxLength: 30 }).map(ops => ({ kind: 'batch' as const, ops })) },
  // Over SYNC_ROOT_OPS (1024) operations: the next root is hashed in slices over a taken version.
  { weight: 1, arbitrary: fc.integer({ min: 1025, max: 1400 }).map(n => ({ kind: 'bulk' as const, n })) },
  { weight: 3, arbitrary: fc.constant({ kind: 'root' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'snapshot' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'read' as const }) },
  // A proof reads the cached hashes of the nodes it prunes: they must all be current.
  { weight: 2, arbitrary: key.map(k => ({ kind: 'prove' as const, key: k })) },
  // Range deletes, empty or not, with limits both ways: within the open edit they split and
  // join the tree in place.
  { weight: 1, arbitrary: fc.record({ low: fc.integer({ min: 0, max: 63 }), span: fc.integer({ min: 0, max: 20 }), limit: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), reverse: fc.boolean() }).map(r => ({ kind: 'clear' as const, ...r })) }
)

test('root edits: roots of the current state and of held snapshots equal fresh trees of their entries', async t => {
  let runs = 0
  let failure: string | null = null
  await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25, size: 'medium' }), async steps => {
    runs++
    const db = await openBytes(tempLocation('root-edits'), { checkpointBytes: 0 })
    const model = new SortedModel()
    const held: Array<{ snapshot: MerkleSnapshot, expected: string }> = []
    try {
      for (const s of steps) {
        if (s.kind === 'batch') {
          await db.batch(s.ops.map(op => op.put ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key }))
          for (const op of s.ops) op.put ? model.put(op.key, op.value) : model.del(op.key)
        } else if (s.kind === 'bulk') {
          const ops = Array.from({ length: s.n }, (_, i) => ({ type: 'put' as const, key: Uint8Array.of(0x6b, i % 64), value: Uint8Array.of(i & 0xff, i >> 8) }))
          await db.batch(ops)
          for (const op of ops) model.put(op.key, op.value)
        } else if (s.kind === 'root') {
          const got = toHex(await db.root())
          const want = rootOf(model.entries())
          if (got !== want) { failure = `root ${got} != ${want}`; return false }
        } else if (s.kind === 'clear') {
          const range = { gte: Uint8Array.of(0x6b, s.low), lt: Uint8Array.of(0x6b, s.low + s.span), reverse: s.reverse, ...(s.limit === undefined ? {} : { limit: s.limit }) }
          await db.clear(range)
          model.clear(range)
        } else if (s.kind === 'prove') {
          const root = await db.root()
          let present: boolean
          try {
            present = verifyProof(root, await db.prove(s.key)).present
          } catch (err) {
            failure = `proof of ${toHex(s.key)} rejected: ${(err as Error).message}`
            return false
          }
          if (present !== (model.get(s.key) !== undefined)) { failure = `proof of ${toHex(s.key)} says present=${String(present)}`; return false }
        } else if (s.kind === 'snapshot') {
          held.push({ snapshot: db.snapshot() as MerkleSnapshot, expected: rootOf(model.entries()) })
        } else {
          await db.iterator({ limit: 3 }).all()
        }
      }
      for (const [i, h] of held.entries()) {
        const got = toHex(await db.root({ snapshot: h.snapshot }))
        if (got !== h.expected) { failure = `snapshot ${i}: root ${got} != ${h.expected}`; return false }
      }
      if (toHex(await db.root()) !== rootOf(model.entries())) { failure = 'final root'; return false }
      const report = await db.check()
      if (report.problems.length > 0) { failure = report.problems.join('; '); return false }
      return true
    } finally {
      for (const h of held) await h.snapshot.close()
      await db.close()
    }
  }), { numRuns: 150 })
  t.is(failure, null, 'no root differed')
  t.pass(`${runs} sequences of writes, roots, snapshots and reads`)
})

test('root edits: a delete that changes the root node in place gives a new root (regression)', async t => {
  // The root after step 3 hashed the current version with the edit open; the delete of the
  // root node's child then changed the root node in place. The tree version kept its cached
  // root because the root node was the same object: db.root() returned the old root.
  const db = await openBytes(tempLocation('root-edits'), { checkpointBytes: 0 })
  const k = (n: number): Uint8Array => Uint8Array.of(0x6b, n)
  const v = Uint8Array.of(0)
  await db.batch([{ type: 'put', key: k(33), value: v }, { type: 'del', key: k(0) }])
  await db.batch([{ type: 'put', key: k(41), value: v }, { type: 'del', key: k(0) }])
  t.is(toHex(await db.root()), rootOf([[k(33), v], [k(41), v]]))
  await db.batch([{ type: 'del', key: k(33) }, { type: 'del', key: k(0) }])
  t.is(toHex(await db.root()), rootOf([[k(41), v]]), 'the root after the delete is that of the remaining entry')
  await db.close()
})

test('root edits: concurrent roots after many writes are both right; a returned root is a copy', async t => {
  const db = await openBytes(tempLocation('root-edits'), { checkpointBytes: 0 })
  const model = new SortedModel()
  for (let b = 0; b < 5; b++) {
    const ops = Array.from({ length: 1000 }, (_, i) => ({ type: 'put' as const, key: Uint8Array.of(b, i >> 8, i & 0xff), value: Uint8Array.of(i & 7) }))
    await db.batch(ops)
    for (const op of ops) model.put(op.key, op.value)
  }
  // More than 1024 operations since the last root: the first hashes in slices, the second waits.
  const second = Uint8Array.of(9, 9, 9)
  const [a, b] = await Promise.all([db.root(), (async () => { await db.put(second, Uint8Array.of(1)); return await db.root() })()])
  const withoutSecond = rootOf(model.entries())
  model.put(second, Uint8Array.of(1))
  t.ok(toHex(a) === withoutSecond || toHex(a) === rootOf(model.entries()), 'the first root is of the state before or after the concurrent put')
  t.is(toHex(b), rootOf(model.entries()), 'the second root includes the put')
  b.fill(0)
  t.is(toHex(await db.root()), rootOf(model.entries()), 'changing a returned root changes nothing')
  await db.close()
})
