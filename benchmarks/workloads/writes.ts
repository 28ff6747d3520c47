/**
 * Write workloads: sequential awaited puts (sync false and true), puts with
 * 16 and 64 in flight (group commit), and N entries in batches of 1000 with
 * and without db.root() after every batch.
 */
import { join } from 'node:path'
import { randomEntries } from '../data'
import type { Entries } from '../data'
import { openMerkle, openStore } from '../stores'
import type { BenchDb } from '../stores'
import { concurrentLoop, now, perSecond, sequentialLoop, warmupOps } from '../timing'
import type { LoopLimit } from '../timing'
import { expectMerkle, load, storeOf } from './context'
import type { Suite, SuiteContext } from './context'

async function withStore<T> (context: SuiteContext, work: (db: BenchDb) => Promise<T>): Promise<T> {
  const { db } = await openStore(storeOf(context.subject), join(context.dir, 'db'))
  try {
    return await work(db)
  } finally {
    await db.close()
  }
}

async function putLoop (db: BenchDb, limit: LoopLimit, sync: boolean, concurrency: number): Promise<number> {
  const warmup = warmupOps(limit)
  const entries: Entries = randomEntries(warmup + limit.maxOps)
  await sequentialLoop({ maxOps: warmup, maxMs: Infinity }, async i => await db.put(entries.keys[i], entries.values[i], { sync }))
  const put = async (i: number): Promise<void> => await db.put(entries.keys[warmup + i], entries.values[warmup + i], { sync })
  const result = concurrency === 1 ? await sequentialLoop(limit, put) : await concurrentLoop(concurrency, limit, put)
  return perSecond(result)
}

/** Sequential awaited puts, sync: false. */
export const put: Suite = async context =>
  await withStore(context, async db => ({ put: await putLoop(db, context.plan.puts, false, 1) }))

/** Sequential awaited puts, sync: true: bounded by the fsync latency. */
export const putSync: Suite = async context =>
  await withStore(context, async db => ({ 'put-sync': await putLoop(db, context.plan.syncedPuts, true, 1) }))

/** 16 synced puts in flight: what group commit makes of them. */
export const putSync16: Suite = async context =>
  await withStore(context, async db => ({ 'put-sync-16': await putLoop(db, context.plan.concurrentPuts, true, 16) }))

/** 64 synced puts in flight. */
export const putSync64: Suite = async context =>
  await withStore(context, async db => ({ 'put-sync-64': await putLoop(db, context.plan.concurrentPuts, true, 64) }))

/** N random entries in batches of 1000, sync: false. */
export const batch: Suite = async context => {
  const entries = randomEntries(context.plan.entries)
  return await withStore(context, async db => {
    const started = now()
    await load(db, entries)
    return { batch: context.plan.entries / ((now() - started) / 1000) }
  })
}

/** The same with db.root() after every batch: the cost of keeping the root current. */
export const batchRoot: Suite = async context => {
  const entries = randomEntries(context.plan.entries)
  expectMerkle(context.subject)
  const { db, merkle } = await openMerkle(join(context.dir, 'db'))
  try {
    const started = now()
    await load(db, entries, async () => await merkle.root())
    return { 'batch-root': context.plan.entries / ((now() - started) / 1000) }
  } finally {
    await db.close()
  }
}
