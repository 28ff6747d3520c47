/**
 * Model-based test of the whole database: random puts, dels, batches, chained
 * batches, ranged clears and range reads, with close+reopen and checkpoints
 * mixed in. After every step the contents equal a sorted-map model (read by
 * iteration, and by point reads of every key the steps can use), and the
 * root equals the root of a fresh tree filled with the same entries in a
 * shuffled order; the root changes exactly when the contents change.
 *
 * It runs twice: with the default cache, and with a cache of one byte, so that
 * every node of an image is read from its file again each time it is reached.
 */
import test from 'tape'
import fc from 'fast-check'
import { tempLocation } from '../util/temp'
import { SortedModel } from '../util/model'
import type { ModelRange } from '../util/model'
import { range, smallKey, smallValue, writeOp } from '../util/arbitraries'
import type { TestOp } from '../util/arbitraries'
import { openBytes } from '../util/db'
import type { ByteDb } from '../util/db'
import { Tree } from '../../lib/tree/tree'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { toHex } from '../../lib/bytes'

type Step =
  | { kind: 'put', key: Uint8Array, value: Uint8Array }
  | { kind: 'del', key: Uint8Array }
  | { kind: 'batch', ops: TestOp[] }
  | { kind: 'chained', ops: TestOp[] }
  | { kind: 'clear', range: ModelRange }
  | { kind: 'read', range: ModelRange }
  | { kind: 'reopen' }
  | { kind: 'checkpoint' }

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('put' as const), key: smallKey, value: smallValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('del' as const), key: smallKey }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('batch' as const), ops: fc.array(writeOp, { minLength: 1, maxLength: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('chained' as const), ops: fc.array(writeOp, { maxLength: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clear' as const), range }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), range }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'checkpoint' as const }) }
)

function freshRoot (model: SortedModel, seed: number): string {
  const entries = model.entries()
  let s = seed >>> 0
  for (let i = entries.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    const j = s % (i + 1)
    const tmp = entries[i]; entries[i] = entries[j]; entries[j] = tmp
  }
  let tree = Tree.empty(DEFAULT_PARAMS)
  for (const [k, v] of entries) tree = tree.put(k, v)
  return toHex(tree.root())
}

// Every key smallKey can make (0 to 3 bytes out of four values): point reads ask for all of them.
const everyKey: Uint8Array[] = [new Uint8Array(0)]
for (let i = 0; everyKey[i].length < 3; i++) {
  for (const b of [0x00, 0x61, 0x62, 0xff]) everyKey.push(Uint8Array.from([...everyKey[i], b]))
}

// Point reads (get, getSync, has, getMany, hasMany) of every key agree with the model.
async function checkPointReads (db: ByteDb, model: SortedModel): Promise<void> {
  const many = await db.getMany(everyKey)
  const hasMany = await db.hasMany(everyKey)
  for (let i = 0; i < everyKey.length; i++) {
    const key = everyKey[i]
    const expected = model.get(key)
    const shown = expected === undefined ? 'absent' : toHex(expected)
    const single = await db.get(key)
    const sync = db.getSync(key)
    const found = [single, sync, many[i]].map(v => v === undefined ? 'absent' : toHex(v))
    if (found.some(f => f !== shown) || (await db.has(key)) !== (expected !== undefined) || hasMany[i] !== (expected !== undefined)) {
      throw new Error(`point reads of ${toHex(key)} give ${found.join('/')}, expected ${shown}`)
    }
  }
}

const show = (list: Array<[Uint8Array, Uint8Array]>): string => JSON.stringify(list.map(([k, v]) => `${toHex(k)}=${toHex(v)}`))

async function apply (db: ByteDb, model: SortedModel, s: Step, options: Options): Promise<ByteDb> {
  switch (s.kind) {
    case 'put': await db.put(s.key, s.value); model.put(s.key, s.value); break
    case 'del': await db.del(s.key); model.del(s.key); break
    case 'batch':
      await db.batch(s.ops.map(o => o.type === 'put' ? { type: 'put' as const, key: o.key, value: o.value } : { type: 'del' as const, key: o.key }))
      for (const o of s.ops) o.type === 'put' ? model.put(o.key, o.value) : model.del(o.key)
      break
    case 'chained': {
      const chain = db.batch()
      for (const o of s.ops) o.type === 'put' ? chain.put(o.key, o.value) : chain.del(o.key)
      await chain.write()
      for (const o of s.ops) o.type === 'put' ? model.put(o.key, o.value) : model.del(o.key)
      break
    }
    case 'clear': await db.clear(s.range); model.clear(s.range); break
    case 'read': {
      const got = await db.iterator(s.range).all()
      if (show(got) !== show(model.range(s.range))) throw new Error(`range read differs for ${JSON.stringify(s.range)}`)
      break
    }
    case 'reopen': await db.close(); return await openBytes(db.location, { ...options, checkpointBytes: 0 })
    case 'checkpoint': await db.checkpoint(); break
  }
  return db
}

type Options = { cacheBytes?: number }

async function modelRuns (t: test.Test, options: Options, label: string): Promise<void> {
  let runs = 0
  let steps = 0
  let misses = 0
  await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 40, size: 'medium' }), fc.integer(), async (plan, seed) => {
    runs++
    let db = await openBytes(tempLocation('model'), { ...options, checkpointBytes: 0 })
    const model = new SortedModel()
    let previous = { contents: show([]), root: toHex(await db.root()) }
    try {
      for (const s of plan) {
        db = await apply(db, model, s, options)
        steps++
        const contents = show(await db.iterator().all())
        if (contents !== show(model.entries())) throw new Error(`contents differ after ${s.kind}`)
        await checkPointReads(db, model)
        const root = toHex(await db.root())
        if (root !== freshRoot(model, seed)) throw new Error(`root differs from a fresh tree after ${s.kind}`)
        if ((contents === previous.contents) !== (root === previous.root)) throw new Error('root changed without a change of contents, or the reverse')
        previous = { contents, root }
      }
      await db.close()
      db = await openBytes(db.location, options)
      if (show(await db.iterator().all()) !== show(model.entries())) throw new Error('contents differ after the final reopen')
      await checkPointReads(db, model)
      if (toHex(await db.root()) !== previous.root) throw new Error('root differs after the final reopen')
      misses += db.cache.misses
    } finally {
      await db.close()
    }
  }), { numRuns: 200 })
  t.pass(`${label}: ${runs} random runs, ${steps} steps matched the model`)
  if (options.cacheBytes !== undefined) t.ok(misses > 10 * runs, `${label}: nodes were read from their files (${misses} reads after the final reopens)`)
}

test('database: random operations with reopens and checkpoints match the model, roots depend only on contents', async t => {
  await modelRuns(t, {}, 'default cache')
})

test('database: the same with a cache of one byte, so that every node is read from its file each time', async t => {
  await modelRuns(t, { cacheBytes: 1 }, 'one-byte cache')
})
