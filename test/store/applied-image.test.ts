/**
 * A checkpoint applies the buffered writes to the captured version while it
 * writes the image, emitting the finished subtrees left of the next write's
 * key as it goes (lib/store/applied-image.ts). Model-based: random images,
 * random in-memory writes on top of them, random buffered writes applied a
 * few at a time (so that nearly every step emits subtrees), as a delta and
 * as a base. The image read back must hold exactly the model's entries, its
 * header the model's root (recomputed naively), and every stored hash must
 * check.
 */
import test from 'tape'
import fc from 'fast-check'
import { join } from 'node:path'
import { compareBytes, toHex } from '../../lib/bytes'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import { Generation } from '../../lib/image/generation'
import { NodeCache } from '../../lib/image/node-cache'
import { writeImage } from '../../lib/image/write-image'
import { writeAppliedImage } from '../../lib/store/applied-image'
import type { DelOp, PutOp } from '../../lib/store/batch-record'
import { checkTree } from '../../lib/tree/check'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { Tree } from '../../lib/tree/tree'
import { naiveRoot } from '../util/naive-root'
import { tempLocation } from '../util/temp'

const IDENTITY = new Uint8Array(64).fill(7)

// Half the keys from a narrow range: deletes and overwrites of keys the image holds are common.
const key = fc.oneof(fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 150 })).map(n => Uint8Array.of(n >> 8, n & 0xff))
const value = fc.uint8Array({ minLength: 0, maxLength: 40 })
const op = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key, value }),
  fc.record({ type: fc.constant('del' as const), key })
)

type Model = Map<string, [Uint8Array, Uint8Array]>

function applyToModel (model: Model, o: PutOp | DelOp): void {
  if (o.type === 'put') model.set(toHex(o.key), [o.key, o.value])
  else model.delete(toHex(o.key))
}

async function readImage (generation: Generation): Promise<Tree> {
  return Tree.fromRoot(generation.newest.topStub(), DEFAULT_PARAMS)
}

test('applied image: the image of a version with buffered writes applied piecewise holds exactly the model', async t => {
  let runs = 0
  let emitted = 0
  await fc.assert(fc.asyncProperty(
    fc.array(fc.tuple(key, value), { maxLength: 250 }),
    fc.array(op, { maxLength: 30 }),
    fc.array(op, { maxLength: 200 }),
    fc.integer({ min: 1, max: 9 }),
    fc.boolean(),
    async (initial, inMemory, buffered, chunk, base) => {
      runs++
      const directory = tempLocation('applied')
      await nodeFileSystem.mkdir(directory)
      const model: Model = new Map()
      let tree = Tree.empty(DEFAULT_PARAMS)
      for (const [k, v] of initial) {
        tree = tree.put(k, v)
        model.set(toHex(k), [k, v])
      }
      const first = await writeImage({ fs: nodeFileSystem, directory, name: 'a', tempName: 'a.tmp', identity: IDENTITY, seq: 1, kind: 'base', chain: [], tree })
      // A cache of a few nodes: every step reads the image from disk.
      const cache = new NodeCache(4096)
      const generation = new Generation(cache).extended('a', await nodeFileSystem.open(join(directory, 'a'), 'read'), first.header)
      // The captured version: the image, with writes applied in memory on top (as when a reader
      // needed the buffer applied before the capture).
      let captured = await readImage(generation)
      for (const o of inMemory) {
        captured = o.type === 'put' ? captured.put(o.key, o.value) : captured.del(o.key)
        applyToModel(model, o)
      }
      const last = new Map<string, PutOp | DelOp>()
      for (const o of buffered) last.set(toHex(o.key), o)
      const ops = [...last.values()].sort((a, b) => compareBytes(a.key, b.key))
      for (const o of ops) applyToModel(model, o)

      const applied = await writeAppliedImage(
        { fs: nodeFileSystem, directory, name: 'b', tempName: 'b.tmp', identity: IDENTITY, seq: 2, kind: base ? 'base' : 'delta', chain: base ? [] : generation.files },
        captured, ops, chunk)
      if (applied.written.nodes < applied.entries) emitted++
      const expected = [...model.values()].sort((a, b) => compareBytes(a[0], b[0]))
      const next = (base ? new Generation(cache) : generation).extended('b', await nodeFileSystem.open(join(directory, 'b'), 'read'), applied.written.header)
      const result = await readImage(next)
      const entries: string[] = []
      const cursor = result.cursor()
      for (cursor.first(); cursor.current !== null; cursor.advance()) entries.push(`${toHex(cursor.current.key)}=${toHex(cursor.current.value)}`)
      const want = expected.map(([k, v]) => `${toHex(k)}=${toHex(v)}`)
      const report = await checkTree(result)
      await next.close()
      if (base) await generation.close()
      const ok = applied.entries === expected.length &&
        applied.written.header.count === expected.length &&
        toHex(applied.written.header.root) === naiveRoot(expected).toString('hex') &&
        report.ok && JSON.stringify(entries) === JSON.stringify(want) &&
        (!base || applied.written.nodes === expected.length)
      if (!ok) {
        t.fail(`chunk ${chunk}, ${base ? 'base' : 'delta'}: entries ${applied.entries}/${expected.length}, problems ${report.problems.join('; ')}`)
      }
      return ok
    }
  ), { numRuns: 250 })
  t.pass(`${runs} histories: each image holds the model's entries and root, and every stored hash checks`)
  t.ok(emitted > 0, `${emitted} deltas wrote fewer nodes than the state has entries`)
})
