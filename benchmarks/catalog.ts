/**
 * Every figure the suite reports: which suite (one child process per store
 * and repetition) measures it, for which stores it means something, its
 * unit and which direction is better. The report is laid out from this list.
 */
import type { StoreName } from './stores'

/** A suite is run in its own process; 'disk' is the fsync probe, which uses no store. */
export type Subject = StoreName | 'disk'

/** Suites, in the order they run. */
export const SUITES = [
  'fsync', 'put', 'put-sync', 'put-sync-16', 'put-sync-64', 'batch', 'batch-root',
  'reads', 'checkpoint', 'open', 'footprint', 'prove'
] as const

/** The name of a suite. */
export type SuiteName = typeof SUITES[number]

/** Units of the figures; the last three are smaller-is-better. */
export type Unit = 'ops/s' | 'entries/s' | 'calls/s' | 'ranges/s' | 'ms' | 'B/entry' | 'B'

/** One reported figure. */
export interface Metric {
  id: string
  suite: SuiteName
  label: string
  unit: Unit
  better: 'higher' | 'lower'
  subjects: readonly Subject[]
}

const ALL: readonly Subject[] = ['merkle-level', 'classic-level', 'memory-level']
const DURABLE: readonly Subject[] = ['merkle-level', 'classic-level']
const MERKLE: readonly Subject[] = ['merkle-level']
const DISK: readonly Subject[] = ['disk']

const higher = (id: string, suite: SuiteName, label: string, unit: Unit, subjects: readonly Subject[]): Metric =>
  ({ id, suite, label, unit, better: 'higher', subjects })
const lower = (id: string, suite: SuiteName, label: string, unit: Unit, subjects: readonly Subject[]): Metric =>
  ({ id, suite, label, unit, better: 'lower', subjects })

/** Every metric, in report order. */
export const METRICS: readonly Metric[] = [
  lower('fsync-ms', 'fsync', 'write 100 B + fdatasync, median latency', 'ms', DISK),
  lower('fsync-async-ms', 'fsync', 'the same through fs.promises (thread pool)', 'ms', DISK),
  lower('fsync-ahead-ms', 'fsync', 'the same as the first, into zeros written ahead (as merkle-level\'s log)', 'ms', DISK),
  higher('fsync-bound', 'fsync', 'physical bound of synced writes: 1 / fdatasync latency', 'ops/s', DISK),

  higher('put', 'put', 'sequential put, sync: false', 'ops/s', ALL),
  higher('put-sync', 'put-sync', 'sequential put, sync: true', 'ops/s', DURABLE),
  higher('put-sync-16', 'put-sync-16', '16 concurrent puts, sync: true', 'ops/s', DURABLE),
  higher('put-sync-64', 'put-sync-64', '64 concurrent puts, sync: true', 'ops/s', DURABLE),
  higher('batch', 'batch', 'N entries in batches of 1000, sync: false', 'entries/s', ALL),
  higher('batch-root', 'batch-root', 'the same with db.root() after every batch', 'entries/s', MERKLE),

  higher('get', 'reads', 'random get', 'ops/s', ALL),
  higher('get-many', 'reads', 'getMany of 100 random keys', 'calls/s', ALL),
  higher('get-sync', 'reads', 'random getSync', 'ops/s', ALL),
  higher('has', 'reads', 'random has', 'ops/s', ALL),
  higher('iterate-all', 'reads', 'full iteration (nextv of 1000; median of 3 passes)', 'entries/s', ALL),
  higher('iterate-range', 'reads', 'range iteration of 100 entries from a random key', 'ranges/s', ALL),

  lower('checkpoint-ms', 'checkpoint', 'checkpoint() of N entries', 'ms', MERKLE),
  lower('checkpoint-stall-ms', 'checkpoint', 'worst put latency of a concurrent writer meanwhile', 'ms', MERKLE),
  lower('writer-baseline-ms', 'checkpoint', 'worst put latency of the same writer without checkpoint', 'ms', MERKLE),
  higher('checkpoint-writer-rate', 'checkpoint', 'puts of that writer during the checkpoint', 'ops/s', MERKLE),
  higher('writer-baseline-rate', 'checkpoint', 'puts of the same writer without checkpoint', 'ops/s', MERKLE),

  lower('open-ms', 'open', 'open after close, from a fresh checkpoint (wall)', 'ms', DURABLE),
  lower('open-recovery-ms', 'open', 'the same: db.recovery.durationMs', 'ms', MERKLE),
  lower('read-snapshot-ms', 'open', 'fs.readFile of the snapshot file alone', 'ms', MERKLE),
  lower('open-wal-ms', 'open', 'open with N entries in the WAL to replay (wall)', 'ms', MERKLE),
  lower('open-wal-recovery-ms', 'open', 'the same: db.recovery.durationMs', 'ms', MERKLE),

  lower('rss-per-entry', 'footprint', 'resident memory (RSS) after GC, per entry', 'B/entry', ALL),
  lower('heap-per-entry', 'footprint', 'heapUsed after GC, per entry', 'B/entry', ALL),
  lower('external-per-entry', 'footprint', 'external memory (buffers) after GC, per entry', 'B/entry', ALL),
  lower('disk-per-entry', 'footprint', 'bytes on disk per entry (merkle-level: after a checkpoint)', 'B/entry', DURABLE),

  higher('prove', 'prove', 'db.prove() of a random key', 'ops/s', MERKLE),
  higher('verify', 'prove', 'verifyProof() of an encoded key proof', 'ops/s', MERKLE),
  lower('proof-bytes', 'prove', 'size of an encoded key proof', 'B', MERKLE),
  higher('prove-range', 'prove', 'db.proveRange() of 100 entries', 'ranges/s', MERKLE),
  higher('verify-range', 'prove', 'verifyRangeProof() of 100 entries', 'ranges/s', MERKLE)
]

/** The subjects a suite runs for: every subject one of its metrics applies to. */
export function subjectsOf (suite: SuiteName): Subject[] {
  const subjects = new Set<Subject>()
  for (const metric of METRICS) if (metric.suite === suite) metric.subjects.forEach(s => subjects.add(s))
  return [...subjects]
}

/** Results of one worker: metric id to value. */
export type Figures = Record<string, number>
