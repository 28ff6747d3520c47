/**
 * Carries out a recovery plan on disk, in an order that keeps every
 * intermediate state recoverable: orphaned temp files and set-aside files
 * first, then the torn tail is cut and synced (so that it can never come back
 * in front of new frames; for the segment new writes continue, by rewriting
 * it from its valid bytes), then the segment for new writes is made durable,
 * and only then are obsolete files deleted.
 */
import { join } from 'node:path'
import { ioError } from '../errors'
import type { FileSystem } from '../fs/file-system'
import { WalWriter } from '../wal/writer'
import { newSegmentSalt } from '../wal/format'
import { randomBytes } from 'node:crypto'
import { segmentName, segmentTempName, setAsideName } from './file-names'
import type { RecoveryPlan } from './recovery'

// Bytes copied at a time when a segment is copied aside.
const COPY_CHUNK = 8 * 1024 * 1024

/** What carrying out the plan did. */
export interface RecoveryOutcome {
  writer: WalWriter
  removed: string[]
  setAside: string[]
  bytesTruncated: number
}

/** Applies `plan` to `directory` and returns the writer for new records. */
export async function carryOut (fs: FileSystem, directory: string, plan: RecoveryPlan): Promise<RecoveryOutcome> {
  const path = (name: string): string => join(directory, name)
  const removed: string[] = []
  const setAside: string[] = []
  const stamp = Date.now()

  for (const name of plan.temps) {
    await fs.unlink(path(name))
    removed.push(name)
  }
  for (const { name, kind } of plan.setAside) {
    const aside = setAsideName(name, kind, stamp)
    await fs.rename(path(name), path(aside))
    setAside.push(aside)
  }
  let bytesTruncated = 0
  if (plan.truncate !== null) {
    const { name, to, from, keepCopy } = plan.truncate
    if (keepCopy) {
      const aside = setAsideName(name, 'discarded', stamp)
      await copyFile(fs, path(name), path(aside))
      setAside.push(aside)
    }
    // The segment to continue is rewritten below from its valid bytes alone, which
    // cuts the tail too: cutting it here first would be a second write and sync.
    const rewritten = plan.resume !== null && plan.resume.name === name && plan.resume.end === to
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
  if (plan.resume !== null) await rewriteSegment(fs, directory, plan.resume)
  // Always, even when recovery changed nothing: the segment resumed below may have been
  // created by a process that died before syncing the directory, and synced writes to it
  // must not be acknowledged while its name can still vanish in a power loss.
  await fs.syncDirectory(directory)

  let writer: WalWriter
  if (plan.resume !== null) {
    writer = await WalWriter.resume(fs, path(plan.resume.name), plan.resume.header, plan.resume.end)
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

  if (plan.obsolete.length > 0) {
    for (const name of plan.obsolete) {
      await fs.unlink(path(name))
      removed.push(name)
    }
    await fs.syncDirectory(directory)
  }
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
async function rewriteSegment (fs: FileSystem, directory: string, resume: NonNullable<RecoveryPlan['resume']>): Promise<void> {
  // The plan already holds the segment's bytes, as read: no second read.
  const temp = join(directory, segmentTempName(resume.header.segment, randomBytes(8).toString('hex')))
  await writeNewFile(fs, temp, resume.bytes.subarray(0, resume.end))
  await fs.rename(temp, join(directory, resume.name))
}

// Copies `from` to the new file `to` a chunk at a time (a segment may be larger than one buffer
// can hold, or than memory can spare) and syncs it.
async function copyFile (fs: FileSystem, from: string, to: string): Promise<void> {
  try {
    const source = await fs.open(from, 'read')
    try {
      const target = await fs.open(to, 'create')
      try {
        const size = await source.size()
        const chunk = new Uint8Array(Math.min(COPY_CHUNK, size))
        for (let at = 0, n = 1; at < size && n > 0; at += n) {
          n = await source.read(chunk, at)
          await target.write(chunk.subarray(0, n), at)
        }
        await target.sync()
      } finally {
        await target.close()
      }
    } finally {
      await source.close()
    }
  } catch (err) {
    throw ioError(`Copying ${from} to ${to} failed: ${(err as Error).message}`, err)
  }
}

// Creates `path` with `bytes` and syncs it (the caller syncs the directory).
async function writeNewFile (fs: FileSystem, path: string, bytes: Uint8Array): Promise<void> {
  const handle = await fs.open(path, 'create')
  try {
    await handle.write(bytes, 0)
    await handle.sync()
  } finally {
    await handle.close()
  }
}
