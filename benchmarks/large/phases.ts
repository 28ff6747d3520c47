/**
 * The work of each child of the large run (see job.ts). Keys and values
 * come from data.ts by index, so every store and every child sees the same
 * entries; figures are reported as each phase ends, so that a later
 * failure does not lose them.
 */
import { KEY_BYTES, VALUE_BYTES, randomIndices } from '../data'
import { openMerkle, openStore } from '../stores'
import type { BenchDb, OpenStore } from '../stores'
import { now } from '../timing'
import { batchOps, keyAt } from './data'
import type { LargeFigures, LargeJob, LargeMessage } from './job'
import { readIo, startRssSampler } from './probes'

/** Entries per batch (the 1000). */
export const BATCH = 1000
/** Random gets measured warm, after as many again as warmup. */
export const WARM_GETS = 100_000
/** Gets measured cold: the first ones of a fresh process. */
export const COLD_GETS = 10_000
/** Batches written on the loaded database, with and without root(); fewer when they take longer than {@link BATCHES_MS}. */
export const LOADED_BATCHES = 200
const BATCHES_MS = 30_000
/** Bytes the user hands the store per entry. */
export const ENTRY_BYTES = KEY_BYTES + VALUE_BYTES
const PROGRESS_EVERY = 10 * BATCH

/** Prints messages to the parent and remembers where the child is, for the error report. */
export class Reporter {
  phase = 'start'
  entries = 0

  send (message: LargeMessage): void {
    process.stdout.write(JSON.stringify(message) + '\n')
  }

  progress (phase: string, entries: number): void {
    const reportNow = phase !== this.phase || Math.floor(entries / PROGRESS_EVERY) !== Math.floor(this.entries / PROGRESS_EVERY)
    this.phase = phase
    this.entries = entries
    if (reportNow) this.send({ type: 'progress', phase, entries })
  }

  figures (figures: LargeFigures): void {
    this.send({ type: 'figures', figures })
  }
}

/** Writes entries [from, to) in batches of {@link BATCH}, sync: false; returns the ms spent in db.batch() (making the entries is not counted). */
async function loadRange (db: BenchDb, from: number, to: number, reporter: Reporter, phase: string, afterBatch?: () => Promise<unknown>): Promise<number> {
  let ms = 0
  for (let at = from; at < to; at += BATCH) {
    const ops = batchOps(at, Math.min(to, at + BATCH))
    const started = now()
    await db.batch(ops, { sync: false })
    if (afterBatch !== undefined) await afterBatch()
    ms += now() - started
    reporter.progress(phase, Math.min(to, at + BATCH) - from)
  }
  return ms
}

/** Batches written after `from` until {@link LOADED_BATCHES} or {@link BATCHES_MS}; entries per second. */
async function batchRate (db: BenchDb, from: number, reporter: Reporter, phase: string, afterBatch?: () => Promise<unknown>): Promise<{ rate: number, written: number }> {
  let ms = 0
  let written = 0
  for (let i = 0; i < LOADED_BATCHES && ms < BATCHES_MS; i++) {
    ms += await loadRange(db, from + written, from + written + BATCH, reporter, phase, afterBatch)
    written += BATCH
  }
  return { rate: written / (ms / 1000), written }
}

/** Awaited random gets of present keys among the first `entries`; gets per second. */
async function getRate (db: BenchDb, entries: number, count: number, seed: number, reporter: Reporter, phase: string): Promise<number> {
  const indices = randomIndices(count, entries, seed)
  const keys = Array.from(indices, index => keyAt(index))
  reporter.progress(phase, 0)
  const started = now()
  for (let i = 0; i < count; i++) {
    const value = await db.get(keys[i])
    if (value?.length !== VALUE_BYTES) throw new Error(`Entry ${indices[i]}, written, is missing`)
  }
  const ms = now() - started
  reporter.progress(phase, count)
  return count / (ms / 1000)
}

/** One pass over every entry, keys and values as Buffers; entries per second. */
async function iterateRate (db: BenchDb, expected: number, reporter: Reporter): Promise<number> {
  const iterator = db.iterator({ keyEncoding: 'buffer', valueEncoding: 'buffer' })
  let seen = 0
  const started = now()
  try {
    for (let chunk = await iterator.nextv(BATCH); chunk.length > 0; chunk = await iterator.nextv(BATCH)) {
      seen += chunk.length
      reporter.progress('iterate', seen)
    }
  } finally {
    await iterator.close()
  }
  const ms = now() - started
  if (seen !== expected) throw new Error(`Iteration saw ${seen} entries, expected ${expected}`)
  return seen / (ms / 1000)
}

/** Bytes written per user byte between two readings of /proc/self/io: to the disk (net of cancelled writes) and through write(). */
function amplification (before: ReturnType<typeof readIo>, after: ReturnType<typeof readIo>, userBytes: number): LargeFigures {
  if (before === null || after === null) return {}
  const disk = (after.writeBytes - after.cancelledWriteBytes) - (before.writeBytes - before.cancelledWriteBytes)
  return { 'write-amp': disk / userBytes, 'wchar-amp': (after.wchar - before.wchar) / userBytes }
}

async function timedOpen (job: LargeJob, checkpointBytes?: number): Promise<{ store: OpenStore, ms: number }> {
  const started = now()
  const store = job.store === 'merkle-level'
    ? { name: job.store, ...await openMerkle(job.location, { checkpointBytes }) }
    : await openStore(job.store, job.location)
  return { store, ms: now() - started }
}

function expectRecovered (store: OpenStore, entries: number): void {
  const report = store.merkle?.recovery
  if (report !== undefined && report !== null && report.entries !== entries) {
    throw new Error(`Reopened with ${report.entries} entries, expected ${entries}`)
  }
}

/** Batches of new entries on a database of `entries`, then (merkle-level) as many with root() after each. */
async function writeBatches (store: OpenStore, entries: number, reporter: Reporter): Promise<void> {
  const plain = await batchRate(store.db, entries, reporter, 'batches')
  reporter.figures({ 'batch-loaded': plain.rate })
  const merkle = store.merkle
  if (merkle !== null) {
    const rooted = await batchRate(store.db, entries + plain.written, reporter, 'batches with root()', async () => await merkle.root())
    reporter.figures({ 'batch-root-loaded': rooted.rate })
  }
}

/** Load, close, reopen, warm gets, full iteration (and with `writes`, the batches). */
async function loadJob (job: Extract<LargeJob, { kind: 'load' }>, reporter: Reporter): Promise<void> {
  const sampler = startRssSampler()
  try {
    let { store } = await timedOpen(job)
    const ioBefore = readIo()
    const loadMs = await loadRange(store.db, 0, job.entries, reporter, 'load')
    reporter.figures({ 'load-rate': job.entries / (loadMs / 1000), 'load-s': loadMs / 1000 })

    if (job.store !== 'memory-level') {
      // After close: it finishes what the load left in memory (LevelDB's compactions, merkle-level's final sync).
      reporter.progress('close', job.entries)
      await store.db.close()
      reporter.figures(amplification(ioBefore, readIo(), job.entries * ENTRY_BYTES))
      reporter.progress('reopen', job.entries)
      const reopened = await timedOpen(job)
      store = reopened.store
      expectRecovered(store, job.entries)
      reporter.figures({ 'open-ms': reopened.ms })
    }

    await getRate(store.db, job.entries, WARM_GETS, 0x1234_5678, reporter, 'get warmup')
    reporter.figures({ 'get-warm': await getRate(store.db, job.entries, WARM_GETS, 0x8765_4321, reporter, 'get') })
    reporter.figures({ iterate: await iterateRate(store.db, job.entries, reporter) })
    if (job.writes) await writeBatches(store, job.entries, reporter)
    await store.db.close()
  } finally {
    reporter.figures({ 'peak-rss': sampler.peak() })
  }
}

/** Batches on the database `load` left, in a process of its own. */
async function writesJob (job: Extract<LargeJob, { kind: 'writes' }>, reporter: Reporter): Promise<void> {
  const sampler = startRssSampler()
  try {
    reporter.progress('open for batches', 0)
    const { store } = await timedOpen(job)
    expectRecovered(store, job.entries)
    await writeBatches(store, job.entries, reporter)
    await store.db.close()
  } finally {
    reporter.figures({ 'peak-rss': sampler.peak() })
  }
}

/** A fresh process opens the database `load` left and times its first gets. */
async function coldJob (job: Extract<LargeJob, { kind: 'cold' }>, reporter: Reporter): Promise<void> {
  reporter.progress('open in a fresh process', 0)
  const { store, ms } = await timedOpen(job)
  reporter.figures({ 'open-fresh-ms': ms })
  reporter.figures({ 'get-cold': await getRate(store.db, job.entries, COLD_GETS, 0x0c01_d000, reporter, 'cold get') })
  await store.db.close()
}

/** Entries whose keys and values make at least `logBytes` of log. */
export function logEntries (logBytes: number): number {
  return Math.ceil(logBytes / ENTRY_BYTES)
}

/** Open the database the other jobs left, checkpoint, then fill the log without checkpointing and wait to be killed. */
async function crashLogJob (job: Extract<LargeJob, { kind: 'crash-log' }>, reporter: Reporter): Promise<void> {
  const loaded = await openMerkle(job.location)
  const entries = loaded.merkle.recovery?.entries ?? 0
  if (entries < job.entries) throw new Error(`The database holds ${entries} entries, expected at least ${job.entries}`)
  reporter.progress('crash: checkpoint', entries)
  await loaded.merkle.checkpoint()
  await loaded.db.close()
  const { db } = await openMerkle(job.location, { checkpointBytes: 0 })
  // New keys: every index below `entries` is written already.
  await loadRange(db, entries, entries + logEntries(job.logBytes), reporter, 'crash: log')
  reporter.figures({ 'crash-entries': entries + logEntries(job.logBytes) })
  reporter.send({ type: 'ready' })
  // Keeps the process alive, the database open, until the parent's SIGKILL.
  setInterval(() => {}, 60_000)
}

/** Opens what crash-log left: the snapshot plus a full log to replay. */
async function crashOpenJob (job: Extract<LargeJob, { kind: 'crash-open' }>, reporter: Reporter): Promise<void> {
  reporter.progress('open after a crash', 0)
  const { store, ms } = await timedOpen(job, 0)
  const report = store.merkle?.recovery ?? null
  await store.db.close()
  // It must measure what it says: a snapshot, and a log replayed on top of it, to every entry written.
  if (report === null || report.snapshot === null || report.recordsReplayed === 0 || report.entries !== job.entries) {
    throw new Error(`Open after the crash found ${report?.entries ?? 'no'} entries (expected ${job.entries}), ` +
      `replaying ${report?.recordsReplayed ?? 'no'} records on snapshot ${report?.snapshot?.file ?? 'none'}`)
  }
  reporter.figures({ 'open-crash-ms': ms, 'open-crash-recovery-ms': report.durationMs, 'crash-records': report.recordsReplayed })
}

/** Runs `job`, reporting through `reporter`. */
export async function runLargeJob (job: LargeJob, reporter: Reporter): Promise<void> {
  switch (job.kind) {
    case 'load': return await loadJob(job, reporter)
    case 'cold': return await coldJob(job, reporter)
    case 'writes': return await writesJob(job, reporter)
    case 'crash-log': return await crashLogJob(job, reporter)
    case 'crash-open': return await crashOpenJob(job, reporter)
  }
}
