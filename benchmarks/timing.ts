/**
 * Clocks and statistics shared by the workloads and the report.
 */
import { performance } from 'node:perf_hooks'

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export function now (): number {
  return performance.now()
}

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median (values: readonly number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** How long a loop may run: it stops at `maxOps` operations or after `maxMs`, whichever comes first. */
export interface LoopLimit {
  maxOps: number
  /** Time budget; a loop always completes at least one operation. */
  maxMs: number
}

/** Operations run before the measured ones of a loop, so that the measurement starts with compiled code. */
export function warmupOps (limit: LoopLimit): number {
  return Math.min(1_000, Math.ceil(limit.maxOps / 10))
}

/** Operations done and the time they took. */
export interface LoopResult {
  ops: number
  ms: number
}

/** Operations per second of a loop result. */
export function perSecond (result: LoopResult): number {
  return result.ops / (result.ms / 1000)
}

/**
 * Runs `operation(i)` one after the other, awaiting each, within `limit`.
 * The clock is read once per operation: cheap next to any database call.
 */
export async function sequentialLoop (limit: LoopLimit, operation: (i: number) => Promise<unknown>): Promise<LoopResult> {
  const started = now()
  let ops = 0
  while (ops < limit.maxOps) {
    await operation(ops)
    ops++
    if (now() - started >= limit.maxMs) break
  }
  return { ops, ms: now() - started }
}

/**
 * Keeps `concurrency` operations in flight at all times (a new one starts as
 * soon as one finishes) until `limit` is reached; what a server with that many
 * clients does to the database.
 */
export async function concurrentLoop (
  concurrency: number, limit: LoopLimit, operation: (i: number) => Promise<unknown>
): Promise<LoopResult> {
  const started = now()
  let issued = 0
  let done = 0
  const lane = async (): Promise<void> => {
    while (issued < limit.maxOps && (issued < concurrency || now() - started < limit.maxMs)) {
      await operation(issued++)
      done++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return { ops: done, ms: now() - started }
}
