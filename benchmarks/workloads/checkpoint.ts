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

interface WriterResult {
  /** Worst latency of one put, in ms. */
  worst: number
  /** Puts per second. */
  rate: number
}

/** Puts until `done()` is true; resolves with the worst latency of one put and the rate. */
async function writer (db: BenchDb, pool: Entries, done: () => boolean): Promise<WriterResult> {
  let worst = 0
  let puts = 0
  const started = now()
  for (; !done(); puts++) {
    const slot = puts % WRITER_KEYS
    const put = now()
    await db.put(pool.keys[slot], pool.values[slot], { sync: false })
    worst = Math.max(worst, now() - put)
  }
  return { worst, rate: puts / ((now() - started) / 1000) }
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
    const meanwhile = await during
    return {
      'checkpoint-ms': duration,
      'checkpoint-stall-ms': meanwhile.worst,
      'writer-baseline-ms': baseline.worst,
      'checkpoint-writer-rate': meanwhile.rate,
      'writer-baseline-rate': baseline.rate
    }
  } finally {
    await db.close()
  }
}
