/**
 * The offline integrity check behind `merkle-level verify`. It changes
 * nothing (inspect.ts reads through a read-only file system) and lists every
 * finding instead of stopping at the first:
 *
 *  1. Plan recovery strictly, as open() would: every checksum of every file,
 *     the newest valid snapshot with its root recomputed from its entries,
 *     every WAL record decoded and replayed in sequence order. A refusal is a
 *     problem; then a forgiving plan says what `repair` would keep.
 *  2. Sort what the plan found into problems (damaged snapshots, damage
 *     before valid data, gaps) and notes (a torn tail, which is what a crash
 *     normally leaves; temporary, obsolete, set-aside and unknown files).
 *  3. Recompute the root of the recovered entries from scratch, the way a
 *     third party does from a plain dump (tree/recompute.ts: a streaming
 *     construction that shares no code with the tree's incremental hashing
 *     and keeps no tree in memory), and compare it with the replayed root.
 */
import { join } from 'node:path'
import { bytesEqual, readU32LE, toHex } from '../bytes'
import { hasCode, levelError } from '../errors'
import { sha256 } from '../tree/node-crypto-hashes'
import type { FileSystem } from '../fs/file-system'
import { computeRootWith } from '../tree/recompute'
import type { SortedEntry } from '../tree/recompute'
import type { Tree } from '../tree/tree'
import { classify } from './file-names'
import { locationState, readView } from './inspect'
import { listLog } from './log-listing'
import { IMAGE_HEADER_SIZE, IMAGE_VERSION, decodeImageHeader } from '../image/format'
import { decodeSnapshotHeader } from '../snapshot/format'
import type { DatabaseView } from './inspect'

/** What the integrity check found. */
export interface IntegrityReport {
  /** True when there is no problem (notes are not problems). */
  ok: boolean
  /** Damage: open() refuses the database, or recovers it only by skipping a damaged file. */
  problems: string[]
  /** Things worth knowing that open() handles by itself. */
  notes: string[]
  /** The state open() would recover (strict), or that `repair` would keep; null when neither can read it. */
  state: { seq: number, entries: number, root: string, recoverable: 'open' | 'repair', givenUp: GivenUp } | null
  /** Entries whose hashes step 3 computed again. */
  entriesRehashed: number
}

/** What recovering the reported state gives up of what the files record. */
export interface GivenUp {
  /** Batches after the kept state that the files record (at least this many when `atLeast`). */
  batches: number
  /** The highest sequence number the files record. */
  lastSeq: number
  /** True when damage hides how far the log went: there may be more batches than counted. */
  atLeast: boolean
  /** Entries of the newest state the files record, when a file says (null when unknown). */
  entriesBefore: number | null
  /** Files renamed aside: damaged ones and the log that follows the damage. */
  filesSetAside: Array<{ name: string, why: 'damaged' | 'after the damage' }>
  /** A log segment cut back to its last valid record (a copy of the whole file is set aside first). */
  cut: { name: string, bytes: number } | null
}

/** Progress of a check: the phase, and how far it got (`total` 0 when unknown). */
export type IntegrityProgress = (phase: 'read' | 'rehash', done: number, total: number) => void

/** Runs the check on the database in `directory` (steps 1-3). */
export async function checkIntegrity (fs: FileSystem, directory: string, onProgress: IntegrityProgress = () => {}): Promise<IntegrityReport> {
  const report: IntegrityReport = { ok: false, problems: [], notes: [], state: null, entriesRehashed: 0 }
  const location = await locationState(fs, directory)
  if (location.state !== 'directory') throw levelError(location.problem, 'LEVEL_DATABASE_NOT_OPEN')
  let read = 0
  const expected = await bytesToRead(fs, directory)
  const onRead = (bytes: number): void => { read += bytes; onProgress('read', read, Math.max(read, expected)) }
  // 1. As open() would; if it refuses, what a point-in-time repair would keep.
  let view: DatabaseView
  let recoverable: 'open' | 'repair' = 'open'
  try {
    view = await readView(fs, directory, { mode: 'strict', onRead })
  } catch (err) {
    if (!hasCode(err, 'LEVEL_CORRUPTION')) throw err
    report.problems.push(`open() refuses the database: ${(err as Error).message}`)
    try {
      view = await readView(fs, directory, { mode: 'pointInTime', onRead })
      recoverable = 'repair'
    } catch (again) {
      if (!hasCode(again, 'LEVEL_CORRUPTION')) throw again
      report.problems.push(`repair cannot recover it either: ${(again as Error).message}`)
      return report
    }
  }
  // 2. Problems and notes.
  classifyFindings(view, recoverable, report)
  // 3. Rehash from scratch and compare.
  const { plan } = view
  const replayed = await plan.tree.rootAsync()
  const recomputed = recomputeRoot(plan.tree, onProgress)
  report.entriesRehashed = plan.tree.size
  if (!bytesEqual(replayed, recomputed)) {
    report.problems.push(`root mismatch: replay gives ${toHex(replayed)}, the entries rehashed from scratch give ${toHex(recomputed)}`)
  }
  report.state = { seq: plan.seq, entries: plan.tree.size, root: toHex(replayed), recoverable, givenUp: await givenUp(fs, view) }
  report.ok = report.problems.length === 0
  return report
}

function classifyFindings (view: DatabaseView, recoverable: 'open' | 'repair', report: IntegrityReport): void {
  const { plan, files } = view
  for (const s of plan.snapshotsSkipped) report.problems.push(`snapshot ${s.name} is damaged: ${s.problem}`)
  if (plan.actions.truncate !== null) {
    const { name, to, from, keepCopy } = plan.actions.truncate
    if (keepCopy) report.problems.push(`WAL segment ${name} is damaged at offset ${to}; repair keeps the ${to} bytes before it`)
    else if (plan.actions.truncate.zeroFilled) report.notes.push(`WAL segment ${name} ends in ${from - to} bytes of zeros after its last frame (space written ahead of frames, left by a crash; open() cuts it off)`)
    else report.notes.push(`WAL segment ${name} ends in a torn tail of ${from - to} bytes (normal after a crash; open() cuts it off)`)
  }
  for (const { name, kind } of plan.actions.setAside) {
    if (kind === 'discarded') report.problems.push(`${name} follows the damage: repair sets it aside`)
  }
  if (recoverable === 'repair') report.notes.push(`repair would keep the state up to sequence ${plan.seq} (${plan.tree.size} entries)`)
  for (const name of plan.actions.temps) report.notes.push(`${name} is an unfinished snapshot (open() removes it)`)
  for (const name of plan.actions.obsolete) report.notes.push(`${name} is covered by the snapshot (open() removes it)`)
  for (const f of files) if (f.kind === 'set-aside') report.notes.push(`${f.name} was set aside by an earlier recovery`)
  for (const name of plan.unknown) report.notes.push(`${name} is not a database file (left alone)`)
}

/**
 * What the state of `view` gives up of the newest one the files record: snapshot names, segment
 * headers and the records that can still be read (a damaged snapshot's header gives its count).
 */
export async function givenUp (fs: FileSystem, view: DatabaseView): Promise<GivenUp> {
  const { plan, location } = view
  // Nothing set aside and nothing cut: the state is all the files record (a torn tail is no batch).
  if (plan.actions.setAside.length === 0 && (plan.actions.truncate === null || !plan.actions.truncate.keepCopy)) {
    return { batches: 0, lastSeq: plan.seq, atLeast: false, entriesBefore: plan.tree.size, filesSetAside: [], cut: null }
  }
  let lastSeq = plan.seq
  let atLeast = false
  let entriesBefore: number | null = null
  for (const { name } of plan.snapshotsSkipped) {
    const kind = classify(name)
    if ((kind.kind !== 'snapshot' && kind.kind !== 'delta') || kind.seq <= lastSeq) continue
    lastSeq = kind.seq
    entriesBefore = await snapshotCount(fs, join(location, name))
  }
  let logSeq = 0
  for await (const item of listLog(fs, location)) {
    if (item.kind === 'segment') logSeq = Math.max(logSeq, item.firstSeq - 1)
    if (item.kind === 'record') logSeq = Math.max(logSeq, item.seq)
    // Damage with data after it holds one batch at least, and hides how many more.
    if (item.kind === 'damage' && item.validDataFollows) {
      atLeast = true
      logSeq++
    }
    const seq = logSeq
    if (seq > lastSeq) {
      lastSeq = seq
      entriesBefore = null
    }
  }
  if (lastSeq === plan.seq) entriesBefore = plan.tree.size
  const filesSetAside = plan.actions.setAside.map(({ name, kind }) => ({ name, why: kind === 'corrupt' ? 'damaged' as const : 'after the damage' as const }))
  const t = plan.actions.truncate
  const cut = t !== null && t.keepCopy ? { name: t.name, bytes: t.from - t.to } : null
  if (cut !== null) filesSetAside.push({ name: cut.name, why: 'damaged' })
  return { batches: lastSeq - plan.seq, lastSeq, atLeast, entriesBefore, filesSetAside, cut }
}

// The entry count a snapshot's or delta's header states, or null when the header is unreadable.
// Version 1 and version 2 (tree image) headers share the magic and the version at offset 8.
async function snapshotCount (fs: FileSystem, path: string): Promise<number | null> {
  const file = await fs.open(path, 'read')
  try {
    const bytes = new Uint8Array(IMAGE_HEADER_SIZE)
    const head = bytes.subarray(0, await file.read(bytes, 0))
    const read = head.length >= 12 && readU32LE(head, 8) === IMAGE_VERSION ? decodeImageHeader(head) : decodeSnapshotHeader(head)
    return read.ok ? read.header.count : null
  } finally {
    await file.close()
  }
}

// The bytes recovery will read at least: the log and the snapshot and delta images.
async function bytesToRead (fs: FileSystem, directory: string): Promise<number> {
  const stat = await fs.stat(directory)
  if (stat === null || !stat.isDirectory) return 0
  let total = 0
  for (const name of await fs.readdir(directory)) {
    const kind = classify(name).kind
    if (kind === 'segment' || kind === 'snapshot' || kind === 'delta') total += (await fs.stat(join(directory, name)))?.size ?? 0
  }
  return total
}

// The root of the tree's entries computed from scratch, reporting progress as it goes.
function recomputeRoot (tree: Tree, onProgress: IntegrityProgress): Uint8Array {
  const total = tree.size
  function * entries (): Generator<SortedEntry> {
    const cursor = tree.cursor()
    let done = 0
    cursor.first()
    for (let node = cursor.current; node !== null; cursor.advance(), node = cursor.current) {
      yield { key: node.key, value: node.value }
      if (++done % 8192 === 0) onProgress('rehash', done, total)
    }
    onProgress('rehash', done, total)
  }
  return computeRootWith(sha256, entries(), tree.params.salt)
}
