/**
 * Carries out a recovery plan on disk, in an order that keeps every
 * intermediate state recoverable: orphaned temp files and set-aside files
 * first, then the torn tail is cut and synced (so that it can never come back
 * in front of new frames; for the segment new writes continue, by rewriting
 * it from its valid bytes), then the segment for new writes is made durable,
 * and only then are obsolete files deleted (segments the snapshot covers are
 * kept for change feeds instead when retention is on; retention.ts).
 */
import { join } from 'node:path'
import type { FileSystem } from '../fs/file-system'
import { WalWriter } from '../wal/writer'
import { WAL_VERSION, newSegmentSalt } from '../wal/format'
import { READ_WINDOW } from '../wal/reader'
import { randomBytes } from 'node:crypto'
import { ioError } from '../errors'
import { classify, segmentName, segmentTempName, setAsideName } from './file-names'
import { pruneRetained, retireSegment } from './retention'
import type { RetentionPolicy } from './retention'
import type { RecoveryPlan, Resumption } from './recovery'

/** What carrying out the plan did. */
export interface RecoveryOutcome {
  writer: WalWriter
  removed: string[]
  setAside: string[]
  bytesTruncated: number
}

/** Applies `plan` to `directory` and returns the writer for new records. */
export async function carryOut (fs: FileSystem, directory: string, plan: RecoveryPlan, retention: RetentionPolicy | null = null): Promise<RecoveryOutcome> {
  const path = (name: string): string => join(directory, name)
  const removed: string[] = []
  const setAside: string[] = []
  const stamp = Date.now()

  for (const name of plan.actions.temps) {
    await fs.unlink(path(name))
    removed.push(name)
  }
  for (const { name, kind } of plan.actions.setAside) {
    const aside = setAsideName(name, kind, stamp)
    await fs.rename(path(name), path(aside))
    setAside.push(aside)
  }
  let bytesTruncated = 0
  if (plan.actions.truncate !== null) {
    const { name, to, from, keepCopy } = plan.actions.truncate
    if (keepCopy) {
      const aside = setAsideName(name, 'discarded', stamp)
      await copyFile(fs, path(name), path(aside))
      setAside.push(aside)
    }
    // The segment to continue is rewritten below from its valid bytes alone, which
    // cuts the tail too: cutting it here first would be a second write and sync.
    const rewritten = plan.actions.resume !== null && plan.actions.resume.name === name && plan.actions.resume.end === to
    if (!rewritten) {
      const handle = await fs.open(path(name), 'readwrite')
      try {
        await handle.truncate(to)
        await handle.sync()
      } finally {
        await handle.close()
      }
    }
    bytesTruncated = from - to
  }
  if (plan.actions.resume !== null) await rewriteSegment(fs, directory, plan.actions.resume)
  // Always, even when recovery changed nothing: the segment resumed below may have been
  // created by a process that died before syncing the directory, and synced writes to it
  // must not be acknowledged while its name can still vanish in a power loss.
  await fs.syncDirectory(directory)

  // A segment of an older format is made durable as it is, above, but not continued: new
  // frames go to a new segment of the current format.
  let writer: WalWriter
  if (plan.actions.resume !== null && plan.actions.resume.header.version === WAL_VERSION) {
    writer = await WalWriter.resume(fs, path(plan.actions.resume.name), plan.actions.resume.header, plan.actions.resume.end)
  } else {
    const number = plan.lastSegment + 1
    writer = await WalWriter.create(fs, path(segmentName(number)), {
      identity: plan.identityBytes,
      segment: number,
      firstSeq: plan.seq + 1,
      salt: newSegmentSalt()
    })
    await fs.syncDirectory(directory)
  }

  for (const name of plan.actions.obsolete) {
    const kind = classify(name)
    // What a checkpoint would have retired, had it not been cut short: kept like that (retention.ts).
    if (kind.kind === 'segment' && plan.actions.covered.includes(name)) await retireSegment(fs, directory, name, kind.number, retention)
    else await fs.unlink(path(name))
    removed.push(name)
  }
  removed.push(...await pruneRetained(fs, directory, retention))
  if (removed.length > plan.actions.temps.length) await fs.syncDirectory(directory)
  return { writer, removed, setAside, bytesTruncated }
}

/**
 * Makes the segment to resume durable exactly as recovery read it, before
 * anything is appended to it. Recovery read it from the page cache, which may
 * hold bytes that never reach the disk: written by a process that died before
 * syncing them, or by one whose sync failed, after which the kernel may have
 * dropped them and marked them clean, so that syncing again writes nothing.
 * Appending synced frames after such bytes would acknowledge writes that a
 * power loss leaves behind a hole. Its valid bytes are written anew under a
 * temporary name, synced, and renamed over it (the directory sync follows);
 * rewriting in place could instead tear into damage followed by valid frames.
 */
async function rewriteSegment (fs: FileSystem, directory: string, resume: Resumption): Promise<void> {
  const temp = join(directory, segmentTempName(resume.header.segment, randomBytes(8).toString('hex')))
  const path = join(directory, resume.name)
  await copyFile(fs, path, temp, resume.end)
  await fs.rename(temp, path)
}

/**
 * Creates `to` with the first `length` bytes of `from` (all of them when
 * omitted), copied window by window, and syncs it (the caller syncs the
 * directory). Recovery holds the lock: nothing else changes `from` meanwhile.
 */
async function copyFile (fs: FileSystem, from: string, to: string, length?: number): Promise<void> {
  const source = await fs.open(from, 'read')
  try {
    const end = length ?? await source.size()
    const target = await fs.open(to, 'create')
    try {
      const window = new Uint8Array(Math.min(end, READ_WINDOW))
      for (let at = 0; at < end;) {
        const n = await source.read(window.subarray(0, Math.min(window.length, end - at)), at)
        if (n === 0) throw ioError(`${from} ended at ${at} bytes while it was copied`)
        await target.write(window.subarray(0, n), at)
        at += n
      }
      await target.sync()
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
}
