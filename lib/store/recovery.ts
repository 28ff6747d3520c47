/**
 * Recovery: turns whatever a crash left in the directory into an open
 * engine state, or refuses with LEVEL_CORRUPTION and changes nothing.
 *
 * The procedure (docs/FORMAT.md, "Recovery"), run with the lock held:
 *
 *  1. List the directory; classify names (file-names.ts); refuse a name of
 *     ours that is not a regular file (directory-listing.ts).
 *  2. Read every WAL segment and check its header and frames.
 *  3. Load the newest snapshot that validates (checksums, order, count, and
 *     the Merkle root recomputed from its entries); note the ones skipped
 *     (snapshot-load.ts).
 *  4. Check that all files carry the same identity.
 *  5. Replay, in segment order, every record after the snapshot's sequence
 *     number, checking that sequence numbers run without gaps or repeats.
 *  6. Decide what damage means: damage in the last segment that no valid
 *     frame after it records as durable (a torn or zero-filled tail, or
 *     unsynced writes a power loss left out of order) is a normal crash
 *     artifact (zeros are also the space the writer fills ahead of its
 *     frames, wal/writer.ts); damage a later frame records as durable, a
 *     damaged earlier segment, a gap or a foreign file is corruption (or, in
 *     'pointInTime' mode, the end of the usable log).
 *
 * Only when all of that succeeded is anything changed on disk (recovery-
 * actions.ts): temp files removed, the torn tail truncated, stale files
 * retired. Every change is idempotent, so a crash during recovery is
 * recovered from by running recovery again.
 */
import { join } from 'node:path'
import { corruption } from '../errors'
import type { FileSystem } from '../fs/file-system'
import { readSegmentHeader, scanSegmentFile } from '../wal/reader'
import type { SegmentHeaderRead, WalFrame } from '../wal/reader'
import { SEGMENT_HEADER_SIZE } from '../wal/format'
import type { SegmentHeader } from '../wal/format'
import { bytesEqual } from '../bytes'
import { Tree } from '../tree/tree'
import type { TreeParams } from '../tree/params'
import { decodeRecord } from './batch-record'
import { ReplayRun } from './replay-run'
import type { PendingOps } from './pending-ops'
import type { Generation } from '../image/generation'
import { NodeCache } from '../image/node-cache'
import { DEFAULT_CACHE_BYTES } from './options'
import { classify } from './file-names'
import { listDirectory } from './directory-listing'
import { loadSnapshot } from './snapshot-load'
import type { LoadedSnapshot, SnapshotChoice } from './snapshot-load'
import { decodeIdentity, encodeIdentity, newIdentity } from './identity'
import type { Identity } from './identity'

/** How recovery treats damage that is not a torn tail. */
export type RecoveryMode = 'strict' | 'pointInTime'

/** What recovery found: the state to open with and how it was reached. */
export interface RecoveryFindings {
  readonly identity: Identity
  readonly identityBytes: Uint8Array
  /** The recovered state, but for the operations in {@link pending}. */
  readonly tree: Tree
  /** Replayed operations not applied to `tree` (asked for with `deferReplay`); null when none. */
  readonly pending: PendingOps | null
  /** The image files `tree` reads from; null when it is all in memory (a version 1 snapshot, or none). */
  readonly generation: Generation | null
  /** A version 1 snapshot was loaded: the next checkpoint writes it as an image (a base). */
  readonly migrate: boolean
  /** Sequence number of the last applied batch. */
  readonly seq: number
  /** Whether the directory held a database before. */
  readonly existed: boolean
  readonly snapshot: { name: string, seq: number, bytes: number } | null
  readonly snapshotsSkipped: ReadonlyArray<{ name: string, problem: string }>
  readonly recordsReplayed: number
  readonly segmentsRead: number
  /** Number of the newest segment seen (0 if none). */
  readonly lastSegment: number
  /** Names we do not know and leave alone. */
  readonly unknown: readonly string[]
}

/** A file to move aside: a damaged snapshot, or the log discarded in 'pointInTime' mode. */
export interface SetAside { name: string, kind: 'corrupt' | 'discarded' }

/** A segment to cut back to its last valid frame; `zeroFilled` when only zeros follow it. */
export interface Truncation { name: string, to: number, from: number, keepCopy: boolean, zeroFilled: boolean }

/**
 * The last segment, when its records end at the recovered sequence number:
 * rewritten from its valid bytes (recovery-actions.ts), then continued if it
 * is of the current version.
 */
export interface Resumption { name: string, header: SegmentHeader, end: number }

/** What recovery decided to change on disk (recovery-actions.ts carries it out). */
export interface RecoveryActions {
  /** Names of orphaned temporary files to remove. */
  readonly temps: readonly string[]
  /** Segments wholly covered by the snapshot, and snapshots older than it: to delete. */
  readonly obsolete: readonly string[]
  /** The segments among `obsolete` that hold batches the snapshot covers: kept for change feeds when retention is on. */
  readonly covered: readonly string[]
  /** Files to move aside (damaged snapshots, discarded log in 'pointInTime' mode). */
  readonly setAside: readonly SetAside[]
  readonly truncate: Truncation | null
  /** The segment new writes continue; null: a new segment is started. */
  readonly resume: Resumption | null
}

/** What recovery found and, apart, what it decided, before acting on it; read-only once planned. */
export interface RecoveryPlan extends RecoveryFindings {
  readonly actions: RecoveryActions
}

/** A segment's header, or why it is unreadable (the frames are read during replay). */
type SegmentFile = { name: string, number: number } & SegmentHeaderRead

/** Reads the directory and works out the recovered state (changes nothing). */
export async function planRecovery (
  fs: FileSystem, directory: string, mode: RecoveryMode, params: TreeParams, cache = new NodeCache(DEFAULT_CACHE_BYTES), deferReplay = false
): Promise<RecoveryPlan> {
  const names = await listDirectory(fs, directory)
  const temps: string[] = []
  const unknown: string[] = []
  const snapshots: Array<{ name: string, seq: number }> = []
  const segments: SegmentFile[] = []
  for (const name of names) {
    const kind = classify(name)
    if (kind.kind === 'temp') temps.push(name)
    else if (kind.kind === 'unknown') unknown.push(name)
    else if (kind.kind === 'snapshot' || kind.kind === 'delta') snapshots.push({ name, seq: kind.seq })
    else if (kind.kind === 'segment') segments.push({ name, number: kind.number, ...await readSegmentHeader(fs, join(directory, name)) })
  }
  snapshots.sort((a, b) => b.seq - a.seq)
  segments.sort((a, b) => a.number - b.number)
  const existed = snapshots.length > 0 || segments.length > 0

  const walIdentity = establishIdentity(segments.map(s => s.ok ? s.header.identity : null))
  const chosen = await loadSnapshot(fs, directory, snapshots, walIdentity, cache)
  try {
    return await planFrom(fs, directory, mode, params, chosen, walIdentity, segments, existed, temps, unknown, deferReplay)
  } catch (err) {
    // The image files of a refused state are not handed to anyone: close them here.
    await chosen.loaded?.generation?.close()
    throw err
  }
}

// Recovery's plan from the snapshot chosen: the log replayed after it, and what to change.
async function planFrom (
  fs: FileSystem, directory: string, mode: RecoveryMode, params: TreeParams, chosen: SnapshotChoice,
  walIdentity: Uint8Array | null, segments: SegmentFile[], existed: boolean, temps: string[], unknown: string[], deferReplay: boolean
): Promise<RecoveryPlan> {
  const start = startingState(chosen.loaded, walIdentity, params)
  const replayed = await replay(fs, directory, segments, mode, start, chosen.skipped, deferReplay)
  const plan: RecoveryPlan = {
    identity: start.identity,
    identityBytes: start.identityBytes,
    tree: replayed.tree,
    pending: replayed.pending,
    generation: chosen.loaded?.generation ?? null,
    migrate: chosen.loaded !== null && chosen.loaded.generation === null,
    seq: replayed.seq,
    existed,
    snapshot: chosen.loaded === null ? null : { name: chosen.loaded.name, seq: chosen.loaded.header.seq, bytes: chosen.loaded.bytes },
    snapshotsSkipped: chosen.skipped,
    recordsReplayed: replayed.recordsReplayed,
    segmentsRead: segments.length,
    lastSegment: segments.length > 0 ? segments[segments.length - 1].number : 0,
    unknown,
    actions: {
      temps,
      obsolete: [...chosen.older, ...replayed.obsolete],
      covered: replayed.covered,
      setAside: [...chosen.skipped.map(({ name }): SetAside => ({ name, kind: 'corrupt' })), ...replayed.setAside],
      truncate: replayed.truncate,
      resume: replayed.resume
    }
  }
  checkNothingLost(plan, mode)
  return plan
}

interface StartingState {
  identity: Identity
  identityBytes: Uint8Array
  tree: Tree
  seq: number
}

// The state replay starts from: the snapshot's; else an empty one of the database the log
// names; else an empty one of a new database.
function startingState (snapshot: LoadedSnapshot | null, walIdentity: Uint8Array | null, params: TreeParams): StartingState {
  if (snapshot !== null) {
    return { identity: snapshot.identity, identityBytes: snapshot.header.identity, tree: snapshot.tree, seq: snapshot.header.seq }
  }
  if (walIdentity !== null) {
    const identity = decodeIdentity(walIdentity)
    if (identity === null) throw corruption('WAL segment header carries a malformed identity')
    return { identity, identityBytes: walIdentity, tree: Tree.empty(identity.params), seq: 0 }
  }
  const identity = newIdentity(params)
  return { identity, identityBytes: encodeIdentity(identity), tree: Tree.empty(params), seq: 0 }
}

// A damaged snapshot names the sequence number it covered. Recovering to an older state than
// that would silently drop acknowledged batches: corruption, unless the user chose pointInTime.
function checkNothingLost (plan: RecoveryPlan, mode: RecoveryMode): void {
  if (mode === 'pointInTime') return
  for (const skipped of plan.snapshotsSkipped) {
    const kind = classify(skipped.name)
    if ((kind.kind === 'snapshot' || kind.kind === 'delta') && kind.seq > plan.seq) {
      throw corruption(`Snapshot ${skipped.name} is damaged (${skipped.problem}) and the log does not cover the batches it held`)
    }
  }
}

// The identity the segments agree on; null when there are none with a readable header.
function establishIdentity (identities: Array<Uint8Array | null>): Uint8Array | null {
  let found: Uint8Array | null = null
  for (const id of identities) {
    if (id === null) continue
    if (found === null) found = id
    else if (!bytesEqual(found, id)) throw corruption('WAL segments belong to different databases')
  }
  return found
}

// What replaying the log gave: the state after it, and what it decided about the segments.
interface Replayed {
  tree: Tree
  pending: PendingOps | null
  seq: number
  recordsReplayed: number
  obsolete: string[]
  covered: string[]
  setAside: SetAside[]
  truncate: Truncation | null
  resume: Resumption | null
}

// Replays the segments after the starting state, deciding what each kind of damage means.
async function replay (
  fs: FileSystem, directory: string, segments: SegmentFile[], mode: RecoveryMode,
  start: StartingState, snapshotsSkipped: SnapshotChoice['skipped'], defer: boolean
): Promise<Replayed> {
  const out: Replayed = { tree: start.tree, pending: null, seq: start.seq, recordsReplayed: 0, obsolete: [], covered: [], setAside: [], truncate: null, resume: null }
  const snapshotSeq = start.seq
  const run = new ReplayRun(start.tree, { defer })
  let seq = start.seq
  let stopped = false
  for (let i = 0; i < segments.length; i++) {
    const file = segments[i]
    const last = i === segments.length - 1
    if (stopped) {
      out.setAside.push({ name: file.name, kind: 'discarded' })
      continue
    }
    if (!file.ok) {
      // A segment whose header never became durable holds no frames: a crash while creating it.
      // It need not be the last one: a crash during recovery may have left it behind a segment
      // that recovery had created. Skipping it cannot hide records: a segment after it must
      // continue the sequence, or the gap is reported.
      if (file.length <= SEGMENT_HEADER_SIZE) { out.obsolete.push(file.name); continue }
      if (mode === 'pointInTime') { stopped = true; out.setAside.push({ name: file.name, kind: 'discarded' }); continue }
      throw corruption(`WAL segment ${file.name} has a damaged header (${file.problem})`)
    }
    const header = file.header
    if (header.segment !== file.number) throw corruption(`WAL segment ${file.name} says it is segment ${header.segment}`)
    if (header.firstSeq > seq + 1) {
      if (mode === 'pointInTime') { stopped = true; out.setAside.push({ name: file.name, kind: 'discarded' }); continue }
      throw corruption(gapProblem(snapshotsSkipped, seq, file.name, header.firstSeq))
    }
    let expected = header.firstSeq
    let frames = 0
    // Each record is applied as it is read: a segment is never held whole (wal/reader.ts).
    const visit = (frame: WalFrame): boolean => {
      const decoded = decodeRecord(frame.payload)
      if (!decoded.ok || decoded.record.seq !== expected) {
        if (mode === 'pointInTime') return false
        const problem = decoded.ok ? `sequence ${decoded.record.seq} where ${expected} was expected` : decoded.problem
        throw corruption(`WAL segment ${file.name}, record ${frames}: ${problem}`)
      }
      const rec = decoded.record
      frames++
      expected++
      if (rec.seq <= seq) {
        if (rec.seq > snapshotSeq) throw corruption(`WAL record ${rec.seq} appears twice`)
        return true
      }
      run.add(rec.ops)
      seq = rec.seq
      out.recordsReplayed++
      return true
    }
    const scan = await scanSegmentFile(fs, join(directory, file.name), visit)
    if (!scan.ok) throw corruption(`WAL segment ${file.name} changed while it was read (${scan.problem})`)
    const { damage, validEnd } = scan
    // Damage that no valid frame after it records as durable is what a crash leaves of writes
    // that were never synced: a torn tail, or (after a power loss) bytes written out of order.
    const endsInTail = !scan.stopped && damage !== null && !damage.durableAfter
    // Zeros after an earlier segment's last frame are unused space, not damage: the space
    // written ahead of frames (wal/writer.ts), where a copy was taken of a live segment.
    // Whether records are missing there, the next segment's first sequence number says.
    const spareSpace = endsInTail && !last && damage.zeroFilled
    if (!spareSpace && (damage !== null || scan.stopped)) {
      // Only the last segment can end in unsynced bytes: a rotation syncs a segment before the next exists.
      const unsyncedTail = endsInTail && last
      if (!unsyncedTail && mode === 'strict') {
        const why = damage === null ? 'an undecodable record' : damage.durableAfter ? 'valid frames follow' : 'not the last segment'
        throw corruption(`WAL segment ${file.name} is damaged at offset ${damage?.offset ?? validEnd} (${why})`)
      }
      if (!unsyncedTail) {
        // 'pointInTime': keep the records before the damage, keep a copy of the whole file aside.
        stopped = true
        out.truncate = { name: file.name, to: validEnd, from: scan.length, keepCopy: true, zeroFilled: false }
        continue
      }
      // Frames after unsynced damage were never acknowledged as durable; a copy is kept aside.
      out.truncate = { name: file.name, to: validEnd, from: scan.length, keepCopy: damage.validFrameAfter, zeroFilled: damage.zeroFilled }
    }
    if (header.firstSeq + frames - 1 <= snapshotSeq && !last) {
      out.obsolete.push(file.name)
      out.covered.push(file.name)
    } else if (last && header.firstSeq + frames === seq + 1) {
      out.resume = { name: file.name, header, end: validEnd }
    }
  }
  out.tree = run.tree
  out.pending = run.pending
  out.seq = seq
  return out
}

// A gap right after a damaged snapshot is that snapshot's fault: name it, not the log.
function gapProblem (snapshotsSkipped: SnapshotChoice['skipped'], seq: number, segment: string, firstSeq: number): string {
  const blamed = snapshotsSkipped.find(s => {
    const kind = classify(s.name)
    return (kind.kind === 'snapshot' || kind.kind === 'delta') && kind.seq > seq
  })
  const gap = `expected sequence ${seq + 1}, ${segment} starts at ${firstSeq}`
  if (blamed === undefined) return `WAL gap: ${gap}`
  return `Snapshot ${blamed.name} is damaged (${blamed.problem}) and the log does not cover the batches it held (${gap})`
}
