/**
 * The figures of a run: every sample of every repetition, kept as measured
 * (benchmarks/results.json), and their medians, which the report shows.
 */
import type { Subject } from './catalog'
import type { Machine } from './machine'
import type { Plan } from './plan'
import { median } from './timing'

/** Samples per subject, per metric id. */
export type Samples = Partial<Record<Subject, Record<string, number[]>>>

/** Everything a report is made from. */
export interface RunResults {
  date: string
  command: string
  machine: Machine
  plan: Plan
  reps: number
  /** Suites run (all, or those --only selected). */
  suites: string[]
  samples: Samples
  /** Jobs that failed, as messages. */
  failures: string[]
}

/** Adds the figures of one job to `samples`. */
export function addSamples (samples: Samples, subject: Subject, figures: Record<string, number>): void {
  const bySubject = samples[subject] ?? (samples[subject] = {})
  for (const [id, value] of Object.entries(figures)) {
    if (Number.isFinite(value)) (bySubject[id] ?? (bySubject[id] = [])).push(value)
  }
}

/** The median of a metric for a subject, or undefined when it was not measured. */
export function medianOf (results: RunResults, subject: Subject, id: string): number | undefined {
  const values = results.samples[subject]?.[id]
  return values === undefined || values.length === 0 ? undefined : median(values)
}
