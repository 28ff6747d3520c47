/**
 * Open leaves the replayed log's puts and deletes pending (pending-ops.ts)
 * and applies them after open, in slices. Whatever is read before that ends,
 * point reads, db.recovery, the first write, a captured version, must be
 * exactly the state the logged batches give, checked against a plain model.
 */
import test from 'tape'
import fc from 'fast-check'
import { Engine } from '../../lib/store/engine'
import type { WriteOp } from '../../lib/store/batch-record'
import { ReplayRun } from '../../lib/store/replay-run'
import { applyOps } from '../../lib/store/batch-record'
import { LiveState } from '../../lib/store/live-state'
import { Tree } from '../../lib/tree/tree'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { TreeCursor } from '../../lib/tree/cursor'
import { toHex } from '../../lib/bytes'
import { SortedModel } from '../util/model'
import { range as rangeArbitrary, smallKey, writeOp } from '../util/arbitraries'
import type { TestOp } from '../util/arbitraries'
import { linkedCopy } from '../util/open-copy'
import { rootOf } from '../util/db'
import { tempLocation } from '../util/temp'

const OPEN = { createIfMissing: true, errorIfExists: false, checkpointBytes: 0 }

// Every key smallKey can make: 0 to 3 bytes of 0x00, 0x61, 0x62, 0xff.
const KEYS: Uint8Array[] = (() => {
  const out: Uint8Array[] = [new Uint8Array(0)]
  for (let length = 1; length <= 3; length++) {
    const before = out.filter(k => k.length === length - 1)
    for (const k of before) for (const b of [0x00, 0x61, 0x62, 0xff]) out.push(Uint8Array.from([...k, b]))
  }
  return out
})()

const batch = fc.array(writeOp, { minLength: 1, maxLength: 12 })
const logBatch: fc.Arbitrary<WriteOp[]> = fc.oneof(
  { weight: 5, arbitrary: batch as fc.Arbitrary<WriteOp[]> },
  { weight: 1, arbitrary: fc.tuple(batch, rangeArbitrary).map(([ops, range]): WriteOp[] => [...ops, { type: 'clear', range }]) }
)

function applyToModel (model: SortedModel, ops: readonly WriteOp[]): void {
  for (const op of ops) {
    if (op.type === 'put') model.put(op.key, op.value)
    else if (op.type === 'del') model.del(op.key)
    else for (const [key] of model.range(op.range)) model.del(key)
  }
}

function entriesOf (tree: Tree): string[] {
  const out: string[] = []
  const cursor = new TreeCursor(tree.top, false)
  cursor.first()
  for (let node = cursor.current; node !== null; cursor.advance(), node = cursor.current) out.push(`${toHex(node.key)}=${toHex(node.value)}`)
  return out
}

const modelEntries = (model: SortedModel): string[] => model.entries().map(([k, v]) => `${toHex(k)}=${toHex(v)}`)

// Reopened with a checkpoint due at once: the replayed log is the first write buffer, which the
// checkpoint started at open applies while it writes its image (engine.ts, #recoverByCheckpoint).
const REOPEN_CHECKPOINTING = { ...OPEN, checkpointBytes: 1 }

for (const [mode, reopen] of [['in slices', OPEN], ['by the checkpoint at open', REOPEN_CHECKPOINTING]] as const) {
  test(`deferred replay (${mode}): reads before the log is applied, db.recovery and the first write match the model`, async t => {
    let deferred = 0
    await fc.assert(fc.asyncProperty(fc.array(batch, { maxLength: 6 }), fc.array(logBatch, { minLength: 1, maxLength: 12 }), fc.tuple(smallKey, fc.uint8Array({ maxLength: 4 })), fc.boolean(), async (imageBatches, logBatches, [key, value], late) => {
      const location = tempLocation('deferred')
      const model = new SortedModel()
      const writer = await Engine.open(location, OPEN)
      for (const ops of imageBatches) {
        await writer.write(ops, false)
        applyToModel(model, ops)
      }
      await writer.checkpoint()
      for (const ops of logBatches) {
        await writer.write(ops, true)
        applyToModel(model, ops)
      }
      const copy = linkedCopy(location)
      await writer.close()

      const engine = await Engine.open(copy, reopen)
      try {
      // Synchronously, before the first slice of the background runs.
        if (Object.getOwnPropertyDescriptor(engine.recovery, 'root')?.get !== undefined) deferred++
        const wrong = KEYS.filter(k => {
          const got = engine.get(k)
          const want = model.get(k)
          return engine.has(k) !== (want !== undefined) || (got === undefined ? want !== undefined : want === undefined || toHex(got) !== toHex(want))
        })
        if (wrong.length > 0) throw new Error(`reads differ from the model at ${wrong.map(toHex).join(', ')}`)
        // Read at once, or after a checkpoint (by the checkpoint at open: the figures of its image).
        if (late) await engine.checkpoint()
        if (engine.recovery.entries !== model.size) throw new Error(`recovery.entries ${engine.recovery.entries}, model ${model.size}`)
        if (engine.recovery.root !== rootOf(model.entries())) throw new Error('recovery.root differs from the model\'s root')
        // The first write goes after the whole log, never under an older logged operation of its key.
        const write: TestOp = { type: 'put', key, value }
        await engine.write([write], false)
        applyToModel(model, [write])
        const version = engine.captureVersion()
        if (entriesOf(version).join() !== modelEntries(model).join()) throw new Error('entries after the first write differ from the model')
        if (toHex(await engine.root()) !== rootOf(model.entries())) throw new Error('root after the first write differs from the model')
      } finally {
        await engine.close()
      }
      // What the first open left on disk is the same state.
      const reopened = await Engine.open(copy, OPEN)
      try {
        if (entriesOf(reopened.captureVersion()).join() !== modelEntries(model).join()) throw new Error('entries after reopening differ from the model')
      } finally {
        await reopened.close()
      }
    }), { numRuns: 60 })
    t.ok(deferred > 15, `the log was left pending at open in ${deferred} of 60 runs`)
  })
}

test('deferred replay: a log longer than a slice is applied after open, between other work', async t => {
  const location = tempLocation('deferred-long')
  const writer = await Engine.open(location, OPEN)
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
  const model = new SortedModel()
  for (let b = 0; b < 5; b++) {
    const ops: WriteOp[] = []
    for (let i = 0; i < 3000; i++) ops.push({ type: 'put', key: bytes(`k${(i * 7919 + b * 13) % 9000}`), value: bytes(`v${b}.${i}`) })
    if (b === 3) ops.push({ type: 'del', key: bytes('k77') })
    await writer.write(ops, b === 4)
    applyToModel(model, ops)
  }
  const copy = linkedCopy(location)
  await writer.close()

  const engine = await Engine.open(copy, OPEN)
  t.ok(Object.getOwnPropertyDescriptor(engine.recovery, 'root')?.get !== undefined, 'the report\'s root waits for the pending operations')
  t.is(toHex(engine.get(bytes('k0')) ?? new Uint8Array()), toHex(model.get(bytes('k0')) ?? new Uint8Array()), 'a read answered from the pending operations')
  t.is(engine.get(bytes('k77')), undefined, 'a logged delete hides the key at once')
  // root() waits for the background to apply the rest, without blocking other work meanwhile.
  let turns = 0
  const counting = setInterval(() => { turns++ }, 0)
  const root = toHex(await engine.root())
  clearInterval(counting)
  t.is(root, rootOf(model.entries()), 'the root of the whole log')
  t.ok(turns > 0, `timers ran while the log was applied (${turns})`)
  t.is(engine.recovery.root, root)
  t.is(engine.recovery.entries, model.size)
  t.is(engine.recovery.recordsReplayed, 5)
  await engine.close()
})

test('replay runs: many batches applied together in key order give the state of applying each in turn', t => {
  fc.assert(fc.property(fc.array(logBatch, { maxLength: 20 }), fc.integer({ min: 1, max: 30 }), (batches, runOps) => {
    const run = new ReplayRun(Tree.empty(DEFAULT_PARAMS), { runOps })
    let inTurn = new LiveState(Tree.empty(DEFAULT_PARAMS))
    for (const ops of batches) {
      run.add(ops)
      inTurn = applyOps(inTurn, ops)
    }
    return toHex(run.tree.root()) === toHex(inTurn.tree.root()) && entriesOf(run.tree).join() === entriesOf(inTurn.tree).join()
  }), { numRuns: 300 })
  t.pass('300 histories')
  t.end()
})
