/**
 * How merkle-level's costs grow with the size of the database (--scaling,
 * for docs/PERFORMANCE.md). At a size N (plan.entries): a checkpoint of N
 * entries, open from it and from a WAL of N entries (per entry), and the
 * marginal cost of a sequential put (sync: false), of an entry of a
 * 1000-entry batch, and of root() after one put and after a batch of 1000.
 */
import { join } from 'node:path'
import type { Figures } from '../catalog'
import { putOps, randomEntries } from '../data'
import type { Entries } from '../data'
import { openMerkle } from '../stores'
import type { MerkleStore } from '../stores'
import { now } from '../timing'
import { BATCH, collectGarbage, load } from './context'
import type { Suite } from './context'
import { reopenMerkle } from './open'

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

/**
 * How many fresh entries each marginal measurement writes at size `entries`:
 * about a thirtieth of the size each (so the database grows by a tenth at
 * most while it is measured), within a floor and a cap.
 */
function budget (entries: number): { puts: number, roots: number, batches: number } {
  const share = Math.floor(entries / 30)
  return {
    puts: Math.max(100, Math.min(10_000, share)),
    roots: Math.max(100, Math.min(1_000, share)),
    batches: Math.max(1, Math.min(10, Math.floor(share / BATCH)))
  }
}

/** Overwrites up to 1000 present entries (the size stays N), so that the measurements start with compiled code. */
async function warmUp ({ db, merkle }: MerkleStore, present: Entries): Promise<void> {
  const count = Math.min(BATCH, present.keys.length)
  for (let i = 0; i < count; i++) await db.put(present.keys[i], present.values[count - 1 - i], { sync: false })
  await db.batch(putOps(present, 0, count), { sync: false })
  await merkle.root()
}

async function marginalCosts ({ db, merkle }: MerkleStore, entries: number): Promise<Figures> {
  const { puts, roots, batches } = budget(entries)
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

/**
 * The scaling figures at one size, merkle-level only. Checkpoint and open
 * come first, on exactly N entries; the marginal costs are then measured on
 * the reopened database (whose root open has verified).
 */
export const scaling: Suite = async (context): Promise<Figures> => {
  const { plan } = context
  const entries = randomEntries(plan.entries)
  const checkpointed = join(context.dir, 'checkpointed')
  const first = await openMerkle(checkpointed, { checkpointBytes: 0 })
  await load(first.db, entries)
  await first.merkle.root()
  await collectGarbage()
  const started = now()
  await first.merkle.checkpoint()
  const checkpointMs = now() - started
  await first.db.close()

  // Checked to have opened N entries from the snapshot alone (open.ts).
  const opened = await reopenMerkle(checkpointed, plan.entries, 'snapshot')
  const figures: Figures = { 'checkpoint-ms': checkpointMs, 'open-ms': opened.wallMs, 'open-us': opened.wallMs * 1000 / plan.entries }
  const reopened = await openMerkle(checkpointed, { checkpointBytes: 0 })
  try {
    await warmUp(reopened, entries)
    Object.assign(figures, await marginalCosts(reopened, plan.entries))
  } finally {
    await reopened.db.close()
  }

  const logged = join(context.dir, 'logged')
  const second = await openMerkle(logged, { checkpointBytes: 0 })
  await load(second.db, entries)
  await second.db.close()
  const replayed = await reopenMerkle(logged, plan.entries, 'log')
  figures['open-wal-us'] = replayed.wallMs * 1000 / plan.entries
  return figures
}
