/**
 * How merkle-level's costs grow with the size of the database (--scaling,
 * for docs/PERFORMANCE.md). At a size N (plan.entries), after loading N
 * random entries and computing the root once, the marginal cost of:
 * a sequential put (sync: false), an entry of a 1000-entry batch, root()
 * after one put and after a batch of 1000, a checkpoint, and open from a
 * checkpoint and from a WAL of N entries, per entry.
 */
import { join } from 'node:path'
import type { Figures } from '../catalog'
import { putOps, randomEntries } from '../data'
import type { Entries } from '../data'
import { openMerkle, openStore } from '../stores'
import type { BenchDb } from '../stores'
import type { MerkleLevel } from '../../index'
import { now } from '../timing'
import { BATCH, collectGarbage, load } from './context'
import type { Suite } from './context'

/** A figure of the scaling table. */
export interface ScalingMetric {
  id: string
  label: string
  unit: 'µs' | 'ms' | 'µs/entry'
}

/** The columns of the scaling table, in order. */
export const SCALING_METRICS: readonly ScalingMetric[] = [
  { id: 'put-us', label: 'put, sync: false', unit: 'µs' },
  { id: 'batch-us', label: 'batch of 1000, per entry', unit: 'µs/entry' },
  { id: 'root-put-us', label: 'root() after one put', unit: 'µs' },
  { id: 'root-batch-us', label: 'root() after a batch of 1000', unit: 'µs' },
  { id: 'checkpoint-ms', label: 'checkpoint()', unit: 'ms' },
  { id: 'open-ms', label: 'open from a checkpoint (wall)', unit: 'ms' },
  { id: 'open-us', label: 'open from a checkpoint, per entry', unit: 'µs/entry' },
  { id: 'open-wal-us', label: 'open replaying the WAL, per entry', unit: 'µs/entry' }
]

/** The sizes measured: 1e4, 1e5 and 1e6 entries; --quick stops one decade lower. */
export function scalingSizes (quick: boolean): number[] {
  return quick ? [1_000, 10_000, 100_000] : [10_000, 100_000, 1_000_000]
}

/** A source of fresh random entries, handed out in slices. */
class Fresh {
  #next = 0
  constructor (readonly entries: Entries) {}
  take (count: number): number {
    const from = this.#next
    if (from + count > this.entries.keys.length) throw new Error('Out of fresh entries')
    this.#next += count
    return from
  }
}

async function marginalCosts (db: BenchDb, merkle: MerkleLevel<Uint8Array, Uint8Array>, quick: boolean): Promise<Figures> {
  const puts = quick ? 1_000 : 10_000
  const roots = quick ? 200 : 1_000
  const batches = 10
  const fresh = new Fresh(randomEntries(puts + roots + 2 * batches * BATCH))
  const { keys, values } = fresh.entries

  let from = fresh.take(puts)
  let started = now()
  for (let i = from; i < from + puts; i++) await db.put(keys[i], values[i], { sync: false })
  const putUs = (now() - started) * 1000 / puts

  from = fresh.take(batches * BATCH)
  started = now()
  for (let b = 0; b < batches; b++) await db.batch(putOps(fresh.entries, from + b * BATCH, from + (b + 1) * BATCH), { sync: false })
  const batchUs = (now() - started) * 1000 / (batches * BATCH)

  await merkle.root()
  let rootMs = 0
  from = fresh.take(roots)
  for (let i = from; i < from + roots; i++) {
    await db.put(keys[i], values[i], { sync: false })
    started = now()
    await merkle.root()
    rootMs += now() - started
  }
  let rootBatchMs = 0
  from = fresh.take(batches * BATCH)
  for (let b = 0; b < batches; b++) {
    await db.batch(putOps(fresh.entries, from + b * BATCH, from + (b + 1) * BATCH), { sync: false })
    started = now()
    await merkle.root()
    rootBatchMs += now() - started
  }
  return { 'put-us': putUs, 'batch-us': batchUs, 'root-put-us': rootMs * 1000 / roots, 'root-batch-us': rootBatchMs * 1000 / batches }
}

async function reopen (location: string): Promise<{ ms: number, entries: number }> {
  await collectGarbage()
  const started = now()
  const db = await openMerkle(location, { checkpointBytes: 0 })
  const ms = now() - started
  const entries = db.recovery?.entries ?? 0
  await db.close()
  return { ms, entries }
}

/** The scaling figures at one size, merkle-level only. */
export const scaling: Suite = async (context): Promise<Figures> => {
  const { plan } = context
  const entries = randomEntries(plan.entries)
  const checkpointed = join(context.dir, 'checkpointed')
  const { db, merkle } = await openStore('merkle-level', checkpointed, { checkpointBytes: 0 })
  if (merkle === null) throw new Error('merkle-level opened without its own methods')
  await load(db, entries)
  await merkle.root()
  await collectGarbage()
  const figures = await marginalCosts(db, merkle, plan.quick)
  let started = now()
  await merkle.checkpoint()
  figures['checkpoint-ms'] = now() - started
  await db.close()
  const opened = await reopen(checkpointed)
  figures['open-ms'] = opened.ms
  figures['open-us'] = opened.ms * 1000 / opened.entries

  const logged = join(context.dir, 'logged')
  const second = await openStore('merkle-level', logged, { checkpointBytes: 0 })
  await load(second.db, entries)
  await second.db.close()
  const replayed = await reopen(logged)
  figures['open-wal-us'] = replayed.ms * 1000 / replayed.entries
  return figures
}
