/**
 * What the parent sends a worker (one JSON argument) and what the worker
 * prints back (one JSON line on stdout).
 */
import type { Figures, Subject, SuiteName } from './catalog'
import type { Plan } from './plan'

/** One suite for one subject. */
export interface Job {
  suite: SuiteName | 'scaling'
  subject: Subject
  plan: Plan
  /** A fresh directory for the worker's files; the parent removes it when the worker has ended. */
  dir: string
}

/** The worker's answer. */
export interface JobResult {
  figures: Figures
}
