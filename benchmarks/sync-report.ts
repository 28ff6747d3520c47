/**
 * The "Replication" section of RESULTS.md, written by the replication
 * benchmark (sync.ts --write) between its markers and carried over, like
 * the large run's section, when the suite rewrites the file.
 */

/** Marks the start of the section. */
export const REPLICATION_BEGIN = '<!-- replication:begin (written by node dist/benchmarks/sync.js --write) -->'
/** Marks its end. */
export const REPLICATION_END = '<!-- replication:end -->'

/** The section of an earlier RESULTS.md, markers included; null when it has none. */
export function keptReplication (previous: string | null): string | null {
  if (previous === null) return null
  const begin = previous.indexOf('<!-- replication:begin')
  const end = previous.indexOf(REPLICATION_END)
  return begin === -1 || end < begin ? null : previous.slice(begin, end + REPLICATION_END.length)
}

/** `previous` (null: no file yet) with its section replaced by `section`, or `section` appended. */
export function spliceReplication (previous: string | null, section: string): string {
  const old = keptReplication(previous)
  if (previous === null) return section + '\n'
  if (old === null) return previous.replace(/\n*$/, '\n\n') + section + '\n'
  return previous.replace(old, () => section)
}
