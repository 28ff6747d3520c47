/**
 * Read workloads on a database of N random entries: random get, getMany of
 * 100, getSync and has (every key present), full iteration and range
 * iterations of 100 entries. Keys are picked in advance so that choosing
 * one costs nothing during the measurement.
 */
import { join } from 'node:path'
import type { Figures } from '../catalog'
import { randomEntries, randomIndices } from '../data'
import { openStore } from '../stores'
import type { BenchDb } from '../stores'
import { median, now, perSecond, sequentialLoop, warmupOps } from '../timing'
import type { LoopLimit } from '../timing'
import { collectGarbage, load, storeOf } from './context'
import type { Suite } from './context'

const GET_MANY = 100
const RANGE = 100
const ITERATE_CHUNK = 1000

/** Calls per second of `operation` within `limit`, after a warmup. */
async function rate (limit: LoopLimit, operation: (i: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < warmupOps(limit); i++) await operation(i)
  return perSecond(await sequentialLoop(limit, operation))
}

/** {@link rate} for a synchronous call: no await, which would cost a turn of the microtask queue per call. */
function rateSync (limit: LoopLimit, operation: (i: number) => void): number {
  for (let i = 0; i < warmupOps(limit); i++) operation(i)
  const started = now()
  let ops = 0
  while (ops < limit.maxOps) {
    operation(ops++)
    // Reading the clock once per 256 calls keeps it out of a sub-microsecond measurement.
    if ((ops & 255) === 0 && now() - started >= limit.maxMs) break
  }
  return ops / ((now() - started) / 1000)
}

function expectFound (found: unknown): void {
  if (found === undefined || found === false) throw new Error('A key that was written is missing')
}

/** Full passes of {@link iterateAll}: one pass of 10^6 entries lasts a fraction of a second. */
const ITERATE_PASSES = 3

/** One pass over every entry; returns how many it saw. `limit` stops it early (the warmup). */
async function iteratePass (db: BenchDb, limit = Infinity): Promise<number> {
  const iterator = db.iterator({})
  let seen = 0
  try {
    for (let chunk = await iterator.nextv(ITERATE_CHUNK); chunk.length > 0 && seen < limit; chunk = await iterator.nextv(ITERATE_CHUNK)) {
      seen += chunk.length
    }
  } finally {
    await iterator.close()
  }
  return seen
}

/**
 * Entries per second of a full iteration: the median of ITERATE_PASSES full
 * passes, after a warmup over the first tenth of the entries (the other read
 * loops warm up too).
 * A single pass of a few hundred milliseconds moved by a factor of up to 2.8
 * between repetitions on a shared machine.
 */
async function iterateAll (db: BenchDb, expected: number): Promise<number> {
  await iteratePass(db, expected / 10)
  const rates: number[] = []
  for (let pass = 0; pass < ITERATE_PASSES; pass++) {
    const started = now()
    const seen = await iteratePass(db)
    if (seen !== expected) throw new Error(`Full iteration saw ${seen} entries of ${expected}`)
    rates.push(seen / ((now() - started) / 1000))
  }
  return median(rates)
}

/** All read figures of one store. */
export const reads: Suite = async context => {
  const { plan } = context
  const entries = randomEntries(plan.entries)
  const { keys } = entries
  const { db } = await openStore(storeOf(context.subject), join(context.dir, 'db'))
  try {
    await load(db, entries)
    const picks = randomIndices(plan.reads.maxOps, plan.entries)
    const manyPicks = Array.from({ length: plan.getManyCalls.maxOps }, (_, call) =>
      Array.from(randomIndices(GET_MANY, plan.entries, call + 1), i => keys[i]))
    await collectGarbage()

    const figures: Figures = {}
    figures.get = await rate(plan.reads, async i => expectFound(await db.get(keys[picks[i]])))
    figures['get-many'] = await rate(plan.getManyCalls, async i => (await db.getMany(manyPicks[i])).forEach(expectFound))
    if (db.supports.getSync === true) {
      figures['get-sync'] = rateSync(plan.reads, i => expectFound(db.getSync(keys[picks[i]])))
    }
    figures.has = await rate(plan.reads, async i => expectFound(await db.has(keys[picks[i]])))
    figures['iterate-all'] = await iterateAll(db, plan.entries)
    figures['iterate-range'] = await rate(plan.rangeScans, async i => {
      const found = await db.iterator({ gte: keys[picks[i]], limit: RANGE }).all()
      if (found.length === 0) throw new Error('A range from a present key is empty')
    })
    return figures
  } finally {
    await db.close()
  }
}
