/**
 * Names of the files in a database directory. Sequence and segment numbers
 * are zero-padded to 20 digits so that names sort like numbers. Recovery and
 * destroy delete only names that match these patterns; every other name is
 * the user's and left alone.
 */

/** The lock file. */
export const LOCK_NAME = 'LOCK'

/** The record of the last failed checkpoint, until one succeeds (checkpoint-status.ts). */
export const CHECKPOINT_FAILED_NAME = 'CHECKPOINT-FAILED'

const SEGMENT = /^wal-(\d{20})\.log$/
const SNAPSHOT = /^snapshot-(\d{20})\.mls$/
const SNAPSHOT_TEMP = /^snapshot-\d{20}\.mls\.tmp-[0-9a-f]{16}$/
// A delta image (lib/image): the nodes a checkpoint changed, referring to the files before it.
const DELTA = /^delta-(\d{20})\.mld$/
const DELTA_TEMP = /^delta-\d{20}\.mld\.tmp-[0-9a-f]{16}$/
// A segment rewritten by recovery (recovery-actions.ts) before it is renamed over the original.
// A segment a checkpoint retired but kept for change feeds (retention.ts); T: when, in ms since 1970.
const RETAINED = /^wal-(\d{20})\.log\.retained-(\d+)$/
const SEGMENT_TEMP = /^wal-\d{20}\.log\.tmp-[0-9a-f]{16}$/
// The lock's content is written under this name, then linked to LOCK (lock.ts);
// a crash in between leaves it behind.
const LOCK_TEMP = /^LOCK\.tmp-[0-9a-f]{16}$/
// Only segments and snapshots are ever set aside (recovery-actions.ts): a user's x.corrupt-1 is not ours.
const SET_ASIDE = /^(?:wal-\d{20}\.log|snapshot-\d{20}\.mls|delta-\d{20}\.mld)\.(?:corrupt|discarded)-\d+$/

function pad (n: number): string {
  return String(n).padStart(20, '0')
}

/** File name of WAL segment `n`. */
export function segmentName (n: number): string {
  return `wal-${pad(n)}.log`
}

/** File name of the snapshot at sequence number `seq`. */
export function snapshotName (seq: number): string {
  return `snapshot-${pad(seq)}.mls`
}

/** File name of the delta image at `seq`. */
export function deltaName (seq: number): string {
  return `delta-${pad(seq)}.mld`
}

/** A fresh temporary name for the delta image at `seq`. */
export function deltaTempName (seq: number, random: string): string {
  return `${deltaName(seq)}.tmp-${random}`
}

/** The name of segment `n` once retired and kept for change feeds, at time `stamp` (ms since 1970). */
export function retainedName (n: number, stamp: number): string {
  return `${segmentName(n)}.retained-${stamp}`
}

/** A fresh temporary name for a rewritten copy of segment `n`. */
export function segmentTempName (n: number, random: string): string {
  return `${segmentName(n)}.tmp-${random}`
}

/** A fresh temporary name for the snapshot at `seq`. */
export function snapshotTempName (seq: number, random: string): string {
  return `${snapshotName(seq)}.tmp-${random}`
}

/** The name under which a damaged or discarded file is kept aside. */
export function setAsideName (name: string, kind: 'corrupt' | 'discarded', stamp: number): string {
  return `${name}.${kind}-${stamp}`
}

/** What a directory entry is to us. */
export type FileKind =
  | { kind: 'segment', number: number }
  | { kind: 'snapshot', seq: number }
  | { kind: 'delta', seq: number }
  | { kind: 'retained', number: number, stamp: number }
  | { kind: 'temp' }
  | { kind: 'lock' }
  | { kind: 'status' }
  | { kind: 'set-aside' }
  | { kind: 'unknown' }

/** True for the names the database makes (every kind but 'unknown'). */
export function isOwnName (name: string): boolean {
  return classify(name).kind !== 'unknown'
}

/** Classifies a directory entry by name. */
export function classify (name: string): FileKind {
  let m = SEGMENT.exec(name)
  if (m !== null) return { kind: 'segment', number: Number(m[1]) }
  m = SNAPSHOT.exec(name)
  if (m !== null) return { kind: 'snapshot', seq: Number(m[1]) }
  m = DELTA.exec(name)
  if (m !== null) return { kind: 'delta', seq: Number(m[1]) }
  m = RETAINED.exec(name)
  if (m !== null) return { kind: 'retained', number: Number(m[1]), stamp: Number(m[2]) }
  if (SNAPSHOT_TEMP.test(name) || DELTA_TEMP.test(name) || SEGMENT_TEMP.test(name) || LOCK_TEMP.test(name)) return { kind: 'temp' }
  if (name === LOCK_NAME) return { kind: 'lock' }
  if (name === CHECKPOINT_FAILED_NAME) return { kind: 'status' }
  if (SET_ASIDE.test(name)) return { kind: 'set-aside' }
  return { kind: 'unknown' }
}
