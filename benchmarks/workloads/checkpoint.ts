/**
 * checkpoint() of N entries while a writer keeps putting (sync: false,
 * awaited, one after the other): how long the checkpoint takes and the
 * worst latency the writer sees meanwhile. The same writer runs alone first,
 * so that the stall can be told from ordinary garbage-collection pauses.
 * Nothing is hashed before the checkpoint: it computes the root itself.
 */
import { join } from 'node:path'
import { randomEntries } from '../data'
import type { Entries } from '../data'
import { openMerkle } from '../stores'
import type { BenchDb } from '../stores'
import { now } from '../timing'
import { collectGarbage, expectMerkle, load } from './context'
import type { Suite } from './context'

// Keys the writer cycles through; overwriting them is as good a write as any.
const WRITER_KEYS = 100_000

/** Puts until `done()` is true; resolves with the worst latency of one put. */
async function writer (db: BenchDb, pool: Entries, done: () => boolean): Promise<number> {
  let worst = 0
  for (let i = 0; !done(); i++) {
    const slot = i % WRITER_KEYS
    const started = now()
    await db.put(pool.keys[slot], pool.values[slot], { sync: false })
    worst = Math.max(worst, now() - started)
  }
  return worst
}

/** Checkpoint duration and writer latencies, merkle-level only. */
export const checkpoint: Suite = async context => {
  const entries = randomEntries(context.plan.entries)
  const pool = randomEntries(WRITER_KEYS)
  expectMerkle(context.subject)
  const { db, merkle } = await openMerkle(join(context.dir, 'db'), { checkpointBytes: 0 })
  try {
    await load(db, entries)
    await collectGarbage()

    const baselineEnds = now() + context.plan.writerBaselineMs
    const baseline = await writer(db, pool, () => now() >= baselineEnds)

    let finished = false
    const during = writer(db, pool, () => finished)
    const started = now()
    await merkle.checkpoint()
    const duration = now() - started
    finished = true
    return { 'checkpoint-ms': duration, 'checkpoint-stall-ms': await during, 'writer-baseline-ms': baseline }
  } finally {
    await db.close()
  }
}
