/**
 * The outcome of a large run, as large.json keeps it and the report is
 * made from: each store's figures and failures.
 */
import type { Machine } from '../machine'
import type { StoreName } from '../stores'
import type { LargeFigures } from './job'

/** What one store's children left. */
export interface StoreOutcome {
  figures: LargeFigures
  /** Why a child failed, one message each; empty when none did. */
  failures: string[]
  /** Children not run, with the reason (a database that failed to load has nothing to reopen). */
  skipped: string[]
}

/** Everything the "Large database" section is made from. */
export interface LargeResults {
  date: string
  command: string
  machine: Machine
  entries: number
  /** Log written before the simulated crash, in bytes. */
  logBytes: number
  stores: Partial<Record<StoreName, StoreOutcome>>
}
