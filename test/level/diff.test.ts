/**
 * db.diff(): random histories against the model, nodes read from image
 * files when one key changed in a large database, versions on both sides of
 * a checkpoint and a reopen, sublevels, ranges and encodings, and misuse.
 */
import test from 'tape'
import fc from 'fast-check'
import { MerkleLevel } from '../../index'
import type { MerkleSnapshot } from '../../lib/level/snapshot'
import { resolve } from '../../lib/tree/node'
import { compareBytes, toHex } from '../../lib/bytes'
import { asyncCodeOf } from '../util/codes'
import { openBytes } from '../util/db'
import type { ByteDb } from '../util/db'
import { SortedModel } from '../util/model'
import { writeOp } from '../util/arbitraries'
import type { TestOp } from '../util/arbitraries'
import { tempLocation } from '../util/temp'

type Diff = Array<{ key: Uint8Array, before: Uint8Array | undefined, after: Uint8Array | undefined }>

const show = (d: Diff): string[] => d.map(({ key, before, after }) => `${toHex(key)}:${before === undefined ? '-' : toHex(before)}>${after === undefined ? '-' : toHex(after)}`)

function modelDiff (before: SortedModel, after: SortedModel): string[] {
  const keys = new Map<string, Uint8Array>()
  for (const [k] of [...before.entries(), ...after.entries()]) keys.set(toHex(k), k)
  return show([...keys.values()].sort(compareBytes).map(key => ({ key, before: before.get(key), after: after.get(key) }))
    .filter(d => d.before === undefined || d.after === undefined || compareBytes(d.before, d.after) !== 0))
}

async function write (db: ByteDb, model: SortedModel, ops: TestOp[]): Promise<void> {
  if (ops.length === 0) return
  await db.batch(ops.map(op => op.type === 'put' ? { type: 'put', key: op.key, value: op.value } : { type: 'del', key: op.key }))
  for (const op of ops) op.type === 'put' ? model.put(op.key, op.value) : model.del(op.key)
}

test('diff of snapshots taken midway through random histories equals the model\'s', async t => {
  const phase = fc.record({ ops: fc.array(writeOp, { maxLength: 12 }), checkpoint: fc.boolean() })
  let runs = 0
  await fc.assert(fc.asyncProperty(fc.array(phase, { minLength: 1, maxLength: 3 }), fc.array(phase, { minLength: 1, maxLength: 3 }), async (first, second) => {
    const db = await openBytes(tempLocation('diff'), { sync: false })
    try {
      const model = new SortedModel()
      for (const { ops, checkpoint } of first) {
        await write(db, model, ops)
        if (checkpoint) await db.checkpoint()
      }
      const mid = db.snapshot()
      const midModel = model.clone()
      for (const { ops, checkpoint } of second) {
        await write(db, model, ops)
        if (checkpoint) await db.checkpoint()
      }
      const end = db.snapshot()
      const forward = show(await db.diff(mid).all())
      const fromSnapshots = show(await db.diff(mid, { snapshot: end }).all())
      const backward = show(await db.diff(null, { snapshot: mid }).all())
      await mid.close()
      await end.close()
      const ok = JSON.stringify(forward) === JSON.stringify(modelDiff(midModel, model)) &&
        JSON.stringify(fromSnapshots) === JSON.stringify(forward) &&
        JSON.stringify(backward) === JSON.stringify(modelDiff(model, midModel))
      if (!ok) t.same({ forward, fromSnapshots, backward }, { forward: modelDiff(midModel, model), fromSnapshots: modelDiff(midModel, model), backward: modelDiff(model, midModel) })
      runs++
      return ok
    } finally {
      await db.close()
    }
  }), { numRuns: 60 })
  t.equal(runs, 60, 'the model\'s difference in 60 random histories, forward, between two snapshots, and backward')
})

const key = (i: number): string => `key-${String(i).padStart(6, '0')}`

// Nodes on the path from the top to `k` in a snapshot's version (reading them: measure after the diff).
function depthOf (snapshot: MerkleSnapshot, k: Uint8Array): number {
  let depth = 0
  let at = snapshot.tree.top
  while (at !== null) {
    const node = resolve(at)
    depth++
    const c = compareBytes(k, node.key)
    if (c === 0) break
    at = c < 0 ? node.left : node.right
  }
  return depth
}

test('one changed key among 50,000 on disk: reads a few times the depth', async t => {
  const location = tempLocation('diff-large')
  const db = new MerkleLevel(location, { sync: false })
  for (let i = 0; i < 50000; i += 5000) {
    await db.batch(Array.from({ length: 5000 }, (_, j) => ({ type: 'put' as const, key: key(i + j), value: `v${i + j}` })))
  }
  await db.checkpoint()
  await db.close()
  // No cache: every node read from the image is a miss, the diff's own included.
  const reopened = new MerkleLevel(location, { sync: false, cacheBytes: 0 })
  await reopened.open()
  const before = reopened.snapshot() as MerkleSnapshot
  const identical = reopened.diff(before)
  const quiet = reopened.cache.misses
  t.same(await identical.all(), [], 'no write: no difference')
  t.same(identical.counters, { opened: 0, skipped: 1 }, 'the top hashes are equal: nothing opened')
  t.equal(reopened.cache.misses, quiet, 'nothing read from disk')

  await reopened.put(key(31415), 'changed')
  const misses = reopened.cache.misses
  const diff = reopened.diff(before)
  t.same(await diff.all(), [{ key: key(31415), before: 'v31415', after: 'changed' }], 'the one difference')
  const read = reopened.cache.misses - misses
  const depth = depthOf(before, Buffer.from(key(31415)))
  const bound = 2 * depth + 8
  t.ok(diff.counters.opened <= bound, `${diff.counters.opened} nodes opened, path of ${depth} (bound ${bound})`)
  t.ok(read >= depth && read <= bound, `${read} nodes read from disk (at least the path of ${depth}, at most ${bound})`)

  // Across a checkpoint: the current version now comes from the new image, `before` from the old.
  await reopened.put(key(27182), 'also')
  await reopened.checkpoint()
  const after = reopened.diff(before)
  t.same(await after.all(), [
    { key: key(27182), before: 'v27182', after: 'also' },
    { key: key(31415), before: 'v31415', after: 'changed' }
  ], 'two differences across a checkpoint')
  t.ok(after.counters.opened <= 2 * bound, `${after.counters.opened} nodes opened for two changes`)
  await before.close()
  await reopened.close()
})

test('one side in memory, the other from an image after a reopen', async t => {
  const location = tempLocation('diff-reopen')
  const db = new MerkleLevel(location)
  await db.batch(Array.from({ length: 500 }, (_, i) => ({ type: 'put' as const, key: key(i), value: `v${i}` })))
  await db.checkpoint()
  await db.close()
  const reopened = new MerkleLevel(location)
  await reopened.open()
  const fromImage = reopened.snapshot()
  await reopened.batch([{ type: 'del', key: key(3) }, { type: 'put', key: key(250), value: 'new' }, { type: 'put', key: 'zz', value: 'z' }])
  t.same(await reopened.diff(fromImage).all(), [
    { key: key(3), before: 'v3', after: undefined },
    { key: key(250), before: 'v250', after: 'new' },
    { key: 'zz', before: undefined, after: 'z' }
  ], 'image before, memory after')
  t.same(await reopened.diff(null, { snapshot: fromImage }).all(), [
    { key: key(3), before: undefined, after: 'v3' },
    { key: key(250), before: 'new', after: 'v250' },
    { key: 'zz', before: 'z', after: undefined }
  ], 'memory before, image after')
  await fromImage.close()
  await reopened.close()
})

test('sublevels, ranges and encodings', async t => {
  const db = new MerkleLevel(tempLocation('diff-sub'))
  const users = db.sublevel<string, { age: number }>('users', { valueEncoding: 'json' })
  const admins = users.sublevel<string, { age: number }>('admins', { valueEncoding: 'json' })
  const posts = db.sublevel('posts')
  await users.put('ada', { age: 36 })
  await users.put('bob', { age: 20 })
  await posts.put('p1', 'first')
  const before = db.snapshot()
  await users.put('ada', { age: 37 })
  await users.del('bob')
  await admins.put('carol', { age: 50 })
  await posts.put('p2', 'second')
  await db.put('top', 'level')
  t.same(await db.diff<string, { age: number }>(before, { sublevel: users }).all(), [
    { key: '!admins!carol', before: undefined, after: { age: 50 } },
    { key: 'ada', before: { age: 36 }, after: { age: 37 } },
    { key: 'bob', before: { age: 20 }, after: undefined }
  ], 'the sublevel\'s keys without its prefix, its values decoded as it decodes them, nested sublevels included')
  t.same(await db.diff(before, { sublevel: users, gt: 'ada', valueEncoding: 'utf8' }).all(), [
    { key: 'bob', before: '{"age":20}', after: undefined }
  ], 'a bound inside the sublevel, and another value encoding')
  t.same(await db.diff(before, { gte: '!posts!', lt: '!posts"' }).all(), [
    { key: '!posts!p2', before: undefined, after: 'second' }
  ], 'a range of stored keys')
  t.same(await db.diff(before, { gte: 'a', keyEncoding: 'view', valueEncoding: 'utf8' }).all(), [
    { key: new TextEncoder().encode('top'), before: undefined, after: 'level' }
  ], 'keys as bytes')
  await before.close()
  await db.close()
})

test('misuse: a foreign snapshot, a closed database, a diff made while opening', async t => {
  const db = new MerkleLevel(tempLocation('diff-misuse'))
  const early = db.diff(null)
  await db.put('a', '1')
  t.same(await early.all(), [], 'made while opening, it compares the current state with itself')
  t.ok(db.supports.additionalMethods.diff, 'in the manifest')
  const other = new MerkleLevel(tempLocation('diff-other'))
  await other.open()
  const foreign = other.snapshot()
  let code: string | undefined
  try {
    db.diff(foreign)
  } catch (err) {
    code = (err as { code?: string }).code
  }
  t.equal(code, 'LEVEL_INVALID_VALUE', 'a snapshot of another database')
  await foreign.close()
  await other.close()
  const closed = db.snapshot()
  await closed.close()
  t.equal(await asyncCodeOf(async () => await db.diff(closed).next()), 'LEVEL_SNAPSHOT_NOT_OPEN', 'a closed snapshot')
  const both = db.diff(null)
  t.same(await Promise.all([both.next(), both.next()]), [{ done: true, value: undefined }, { done: true, value: undefined }], 'two calls of next() at once start one walk')
  const before = db.snapshot()
  await db.put('b', '2')
  const pending = db.diff(before)
  t.same(await pending.next(), { done: false, value: { key: 'b', before: undefined, after: '2' } }, 'the first difference')
  await db.close()
  t.equal(await asyncCodeOf(async () => await pending.next()), 'LEVEL_DATABASE_NOT_OPEN', 'closing the database ends a diff under way')
  t.equal(await asyncCodeOf(async () => await db.diff(null).next()), 'LEVEL_DATABASE_NOT_OPEN', 'a diff of a closed database')
})
