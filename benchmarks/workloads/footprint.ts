/**
 * Memory and disk per entry. The store is opened, garbage collected and
 * measured; then N entries are written in batches whose random bytes are
 * generated batch by batch and dropped after the write, so that whatever
 * memory remains is what the store keeps (its own copies, or the views it
 * holds on to). merkle-level computes its root before the measurement
 * (hashes are part of its state once anyone asks for the root or opens
 * the database). Disk: merkle-level after a checkpoint, classic-level after
 * close, both against the raw 116 bytes of key and value.
 */
import { join } from 'node:path'
import type { Figures } from '../catalog'
import { putOps, randomEntries } from '../data'
import { openStore } from '../stores'
import { BATCH, collectGarbage, directoryBytes, storeOf } from './context'
import type { Suite } from './context'

/** Memory and disk figures of one store. */
export const footprint: Suite = async context => {
  const store = storeOf(context.subject)
  const count = context.plan.entries
  const location = join(context.dir, 'db')
  const { db, merkle } = await openStore(store, location, { checkpointBytes: 0 })
  let closed = false
  try {
    await collectGarbage()
    const before = process.memoryUsage()
    for (let from = 0; from < count; from += BATCH) {
      const entries = randomEntries(Math.min(BATCH, count - from))
      await db.batch(putOps(entries, 0, entries.keys.length), { sync: false })
    }
    if (merkle !== null) await merkle.root()
    await collectGarbage()
    const after = process.memoryUsage()

    const figures: Figures = {
      'rss-per-entry': (after.rss - before.rss) / count,
      'heap-per-entry': (after.heapUsed - before.heapUsed) / count,
      'external-per-entry': (after.external - before.external) / count
    }
    if (merkle !== null) {
      await merkle.checkpoint()
      figures['disk-per-entry'] = await directoryBytes(location) / count
    } else if (store === 'classic-level') {
      await db.close()
      closed = true
      figures['disk-per-entry'] = await directoryBytes(location) / count
    }
    return figures
  } finally {
    if (!closed) await db.close()
  }
}
