/**
 * The "Replication" section of RESULTS.md, written by the replication
 * benchmark (sync.ts --write) between its markers and carried over, like
 * the large run's section, when the suite rewrites the file.
 */
import { keptSection, spliceSection } from './report/marked-section'

/** Marks the start of the section. */
export const REPLICATION_BEGIN = '<!-- replication:begin (written by node dist/benchmarks/sync.js --write) -->'
/** Marks its end. */
export const REPLICATION_END = '<!-- replication:end -->'

/** The section of an earlier RESULTS.md, markers included; null when it has none. */
export function keptReplication (previous: string | null): string | null {
  return keptSection(previous, 'replication')
}

/** `previous` (null: no file yet) with its section replaced by `section`, or `section` appended. */
export function spliceReplication (previous: string | null, section: string): string {
  return spliceSection(previous, 'replication', section)
}
