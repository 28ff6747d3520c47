/**
 * Writes issued without awaiting: queued together, they share one promise
 * and one log append, cost about what abstract-level's own queued call
 * costs, and nothing of them stays queued once they are committed.
 * Structural checks (promises, appends, heap bytes after a collection),
 * never timings.
 */
import test from 'tape'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { MemoryLevel } from 'memory-level'
import { MerkleLevel } from '../../index'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import { Engine } from '../../lib/store/engine'
import type { WriteOp } from '../../lib/store/batch-record'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const put = (i: number): WriteOp[] => [{ type: 'put', key: bytes(`key-${String(i).padStart(8, '0')}`), value: bytes('v'.repeat(100)) }]

test('unawaited writes: writes queued behind a group share one promise and commit as one group', async t => {
  const fs = new SimulatedFileSystem()
  const engine = await Engine.open('/db', { fs, createIfMissing: true, errorIfExists: false })
  const first = engine.write(put(0), false)
  const queued = Array.from({ length: 100 }, (_, i) => engine.write(put(i + 1), false))
  t.notOk(queued.includes(first), 'the first, committing alone, has its own promise')
  await Promise.all([first, ...queued])
  t.same([engine.seq, engine.stats.batches], [101, 101])
  // One run behind the first, or two if issuing them outlasted the fairness budget (a loaded
  // machine): either way, one promise per group.
  const promises = new Set(queued).size
  t.ok(promises <= 2, `${promises} promises for 100 queued writes`)
  t.is(engine.stats.groups, 1 + promises, 'one group per promise')
  await engine.close()
})

test('unawaited writes: 20,000 unawaited writes commit in at most three groups', async t => {
  const fs = new SimulatedFileSystem()
  const engine = await Engine.open('/db', { fs, createIfMissing: true, errorIfExists: false })
  const n = 20000
  await Promise.all(Array.from({ length: n }, (_, i) => engine.write(put(i), false)))
  // The first alone; the rest in the run behind it, or, if issuing them outlasted the fairness
  // budget, partly in the run released at the next turn of the event loop.
  t.ok(engine.stats.groups <= 3, `${engine.stats.groups} groups`)
  t.same([engine.seq, engine.stats.batches], [n, n])
  await engine.close()
})

test('unawaited writes: the queued writes are released once committed', async t => {
  const fs = new SimulatedFileSystem()
  const engine = await Engine.open('/db', { fs, createIfMissing: true, errorIfExists: false })
  const refs: Array<WeakRef<object>> = []
  // Issued from a function of its own: this test's suspended frame holds no batch.
  const issue = (): Array<Promise<void>> => Array.from({ length: 1000 }, (_, i) => {
    const ops = put(i)
    refs.push(new WeakRef(ops))
    return engine.write(ops, false)
  })
  await Promise.all(issue())
  await new Promise(resolve => setImmediate(resolve))
  gc()
  t.same(refs.map((r, i) => r.deref() !== undefined ? i : -1).filter(i => i >= 0), [], 'no queued batch is still held')
  await engine.close()
})

// Heap bytes a store holds per put issued and not yet awaited, after a full collection.
async function queuedBytesPerPut (db: { put: (k: string, v: string) => Promise<void> }, n: number): Promise<number> {
  gc()
  const before = process.memoryUsage().heapUsed
  const writes: Array<Promise<void>> = new Array(n)
  for (let i = 0; i < n; i++) writes[i] = db.put(`key-${String(i).padStart(8, '0')}`, 'v'.repeat(100))
  gc()
  const after = process.memoryUsage().heapUsed
  await Promise.all(writes)
  return (after - before) / n
}

test('unawaited writes: a queued put holds less than twice the heap it holds in memory-level', async t => {
  const n = 20000
  const memory = new MemoryLevel<string, string>()
  await memory.open()
  const reference = await queuedBytesPerPut(memory, n)
  await memory.close()
  const db = new MerkleLevel<string, string>('/db', { fs: new SimulatedFileSystem(), checkpointBytes: 0, sync: false })
  await db.open()
  const ours = await queuedBytesPerPut(db, n)
  await db.close()
  t.ok(ours < 2 * reference, `${Math.round(ours)} bytes per queued put, memory-level ${Math.round(reference)}`)
})

test('unawaited writes: writes waiting for a turn of the event loop are committed by close()', async t => {
  const fs = new SimulatedFileSystem()
  const engine = await Engine.open('/db', { fs, createIfMissing: true, errorIfExists: false })
  await engine.write(put(0), false)
  // Busy past the fairness budget: the next writes wait for a turn, which close() does not wait for.
  const end = performance.now() + 10
  while (performance.now() < end) { /* busy */ }
  const writes = [engine.write(put(1), false), engine.write(put(2), false)]
  await engine.close()
  await Promise.all(writes)
  t.is(engine.seq, 3)
  const reopened = await Engine.open('/db', { fs, createIfMissing: false, errorIfExists: false })
  t.is(reopened.seq, 3)
  await reopened.close()
})

test('unawaited writes: a write issued while others wait for a turn never overtakes them', async t => {
  const fs = new SimulatedFileSystem()
  const engine = await Engine.open('/db', { fs, createIfMissing: true, errorIfExists: false })
  const k = bytes('k')
  const writes: Array<Promise<void>> = [engine.write([{ type: 'put', key: bytes('a'), value: bytes('1') }], false)]
  // Queued now, this runs after the turn that the first write noted and before the one that
  // queues the writes held back below: the window in which a write could jump ahead of them.
  setImmediate(() => { writes.push(engine.write([{ type: 'put', key: k, value: bytes('late') }], false)) })
  const started = performance.now()
  while (performance.now() - started < 10) { /* outlast the engine's 4 ms turn budget */ }
  writes.push(engine.write([{ type: 'put', key: k, value: bytes('early') }], false))
  await new Promise(resolve => setImmediate(resolve))
  await new Promise(resolve => setImmediate(resolve))
  await Promise.all(writes)
  t.is(new TextDecoder().decode(engine.get(k)), 'late', 'the later write is applied last')
  await engine.close()
})
