/**
 * What the large run's parent asks of a child (one JSON argument) and what
 * the child reports back: JSON lines on stdout, so that figures measured
 * before a failure survive it and the parent knows how far the child got.
 */
import type { StoreName } from '../stores'

/** The figures of a child: metric id to value. */
export type LargeFigures = Record<string, number>

/**
 * One child's work. `load`: load, close, reopen, warm gets, iteration, and
 * with `writes` the batches of `writes` too (memory-level, whose database
 * lives only as long as its process). `cold`: open the database `load`
 * left and time the first gets. `writes`: batches on that database, after
 * `cold`, so that the gets see the N entries alone. `crash-log`: open the
 * database the others left (at least `entries`), checkpoint, write
 * `logBytes` of log without checkpointing, then wait to be killed.
 * `crash-open`: open what that left, expecting `entries`.
 */
export type LargeJob =
  | { kind: 'load', store: StoreName, location: string, entries: number, writes: boolean }
  | { kind: 'cold', store: StoreName, location: string, entries: number }
  | { kind: 'writes', store: StoreName, location: string, entries: number }
  | { kind: 'crash-log', store: 'merkle-level', location: string, entries: number, logBytes: number }
  | { kind: 'crash-open', store: 'merkle-level', location: string, entries: number }

/** A line a child prints. */
export type LargeMessage =
  /** How far a phase has got, in entries. */
  | { type: 'progress', phase: string, entries: number }
  | { type: 'figures', figures: LargeFigures }
  /** The store (or the child) threw; the child exits after this. */
  | { type: 'error', phase: string, entries: number, message: string }
  /** crash-log: the log is written; the parent kills the child now. */
  | { type: 'ready' }
  | { type: 'done' }
