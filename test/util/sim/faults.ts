/**
 * Faults a simulated file system can inject, in the style of SQLite's I/O
 * error loops: "fail the n-th call" for n = 1, 2, … until the workload
 * completes without the fault firing.
 */
import type { FsOp } from './trace'

/** The kinds of fault. */
export type FaultKind =
  /** The n-th call fails with EIO and does nothing; later calls work. */
  | 'eio-once'
  /** The n-th call and every call after it fail with EIO. */
  | 'eio-forever'
  /** The n-th write puts the first half of its bytes in the page cache, then fails with ENOSPC. */
  | 'enospc'
  /**
   * The n-th sync (of a file or a directory) fails with EIO. For a file, what
   * it should have made durable is dropped for good (reads still see it); for
   * a directory, its pending entry operations stay pending.
   */
  | 'fsync-eio'

/** A fault to inject: `kind` at the `at`-th call it applies to (1-based, counted from injection). */
export interface FaultPlan {
  readonly kind: FaultKind
  readonly at: number
}

/** True when a fault of `kind` counts (and may fire at) a call of `op`. */
export function faultApplies (kind: FaultKind, op: FsOp): boolean {
  if (kind === 'enospc') return op === 'write'
  if (kind === 'fsync-eio') return op === 'sync' || op === 'syncDirectory'
  return true
}

/** A Node-style file-system error. */
export function errnoError (code: string, op: FsOp, path: string): Error & { code: string } {
  return Object.assign(new Error(`${code}: simulated ${op} '${path}'`), { code, syscall: op, path })
}
