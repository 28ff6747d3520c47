/**
 * What every suite receives in its worker process, and helpers the suites
 * share: loading entries in batches, collecting garbage, sizing a directory.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Figures, Subject } from '../catalog'
import type { Plan } from '../plan'
import type { BenchDb } from '../stores'
import { putOps } from '../data'
import type { Entries } from '../data'

/** The inputs of one suite run. */
export interface SuiteContext {
  subject: Subject
  plan: Plan
  /** A fresh directory owned by this worker, removed when it exits. */
  dir: string
}

/** A suite: measures its figures for `context.subject`. */
export type Suite = (context: SuiteContext) => Promise<Figures>

/** Entries per batch wherever a workload writes in batches (the 1000). */
export const BATCH = 1000

/** Writes `entries` in batches of {@link BATCH} with sync: false, calling `afterBatch` after each. */
export async function load (db: BenchDb, entries: Entries, afterBatch?: () => Promise<unknown>): Promise<void> {
  const count = entries.keys.length
  for (let from = 0; from < count; from += BATCH) {
    await db.batch(putOps(entries, from, Math.min(count, from + BATCH)), { sync: false })
    if (afterBatch !== undefined) await afterBatch()
  }
}

/**
 * Full garbage collection (the worker runs with --expose-gc), repeated with
 * turns of the event loop between so that finalizers and weak references
 * settle before memory is read.
 */
export async function collectGarbage (): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('The worker must run with --expose-gc')
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise(resolve => setImmediate(resolve))
  }
}

/** Total size of the regular files in `directory` and below. */
export async function directoryBytes (directory: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) total += await directoryBytes(path)
    else if (entry.isFile()) total += (await stat(path)).size
  }
  return total
}

/** Checks that a suite meant for merkle-level only (the catalog says so) runs for it. */
export function expectMerkle (subject: Subject): void {
  if (subject !== 'merkle-level') throw new Error(`This suite measures merkle-level only, not ${subject}`)
}

/** Narrows a subject to a store, for suites that need one. */
export function storeOf (subject: Subject): Exclude<Subject, 'disk'> {
  if (subject === 'disk') throw new Error('This suite needs a store')
  return subject
}
