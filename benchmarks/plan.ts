/**
 * How much work each workload does: the full run (the figures of
 * RESULTS.md) or --quick (a smoke run that finishes in about a minute).
 * Loops are bounded by a count and by time, so a slow disk or a loaded
 * machine lengthens a run only so much.
 */
import type { LoopLimit } from './timing'

/** Sizes of one run; every worker receives it as JSON. */
export interface Plan {
  quick: boolean
  /** Entries of the large database ("1M" in the issue; --size). */
  entries: number
  /** Sequential awaited puts with sync: false. */
  puts: LoopLimit
  /** Sequential awaited puts with sync: true. */
  syncedPuts: LoopLimit
  /** Puts of the concurrent sync: true workloads (all lanes together). */
  concurrentPuts: LoopLimit
  /** Iterations of the raw write + fdatasync loop. */
  fsyncs: LoopLimit
  /** Random get, getSync and has calls, each. */
  reads: LoopLimit
  /** getMany calls of 100 keys. */
  getManyCalls: LoopLimit
  /** Range iterations of 100 entries. */
  rangeScans: LoopLimit
  /** Proofs (and verifications) of single keys; a tenth as many range proofs. */
  proofs: number
  /** How long the writer runs alone before a checkpoint, for its baseline latency. */
  writerBaselineMs: number
}

/** The full plan, or the --quick one; `entries` overrides the size of the large database. */
export function makePlan (quick: boolean, entries?: number): Plan {
  if (quick) {
    return {
      quick,
      entries: entries ?? 20_000,
      puts: { maxOps: 2_000, maxMs: 1_000 },
      syncedPuts: { maxOps: 100, maxMs: 1_000 },
      concurrentPuts: { maxOps: 1_000, maxMs: 1_000 },
      fsyncs: { maxOps: 200, maxMs: 1_000 },
      reads: { maxOps: 20_000, maxMs: 1_000 },
      getManyCalls: { maxOps: 200, maxMs: 1_000 },
      rangeScans: { maxOps: 2_000, maxMs: 1_000 },
      proofs: 2_000,
      writerBaselineMs: 300
    }
  }
  return {
    quick,
    entries: entries ?? 1_000_000,
    puts: { maxOps: 100_000, maxMs: 5_000 },
    syncedPuts: { maxOps: 2_000, maxMs: 5_000 },
    concurrentPuts: { maxOps: 20_000, maxMs: 5_000 },
    fsyncs: { maxOps: 2_000, maxMs: 5_000 },
    reads: { maxOps: 200_000, maxMs: 10_000 },
    getManyCalls: { maxOps: 2_000, maxMs: 10_000 },
    rangeScans: { maxOps: 20_000, maxMs: 10_000 },
    proofs: 20_000,
    writerBaselineMs: 2_000
  }
}
