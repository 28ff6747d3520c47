/**
 * How the last checkpoint went, in memory (`db.lastCheckpoint`, the
 * `checkpoint-failed` event) and, for a failure, on disk: the file
 * CHECKPOINT-FAILED in the database directory records the last failed
 * checkpoint until one succeeds, so that a tool reading the directory
 * (`merkle-level info`) can tell, even while another process holds it.
 *
 * The record is advisory: written without fsync (a disk that just refused a
 * snapshot may refuse it too; losing it loses no data), replaced by the next
 * failure, removed by the next success. Its format is JSON (docs/FORMAT.md).
 */
import { join } from 'node:path'
import { isErrno } from '../fs/file-system'
import type { FileSystem } from '../fs/file-system'
import type { CheckpointResult } from './checkpoint'
import { CHECKPOINT_FAILED_NAME } from './file-names'

/** A checkpoint that failed, and what the database kept. */
export interface CheckpointFailure {
  ok: false
  /** When it failed, in milliseconds since 1970. */
  time: number
  /** True when it was started by the log growing past `checkpointBytes`, false for `db.checkpoint()`. */
  background: boolean
  /** Why: a LEVEL_IO_ERROR whose `cause` is the file-system error (ENOSPC, EIO, …). */
  error: Error
  /** Kept: the newest snapshot, still in force (its sequence number; 0 when there is none). */
  snapshotSeq: number
  /** Kept: the last committed batch; the log still holds every batch after `snapshotSeq`. */
  seq: number
  /** True when the failure (a failed sync) disabled writes until the database is reopened. */
  writesDisabled: boolean
}

/** A checkpoint that succeeded. */
export interface CheckpointSuccess {
  ok: true
  /** When it ended, in milliseconds since 1970. */
  time: number
  /** As for {@link CheckpointFailure.background}. */
  background: boolean
  /** What it wrote and removed. */
  result: CheckpointResult
}

/** How the last checkpoint since open() went (`db.lastCheckpoint`). */
export type CheckpointStatus = CheckpointSuccess | CheckpointFailure

/** The CHECKPOINT-FAILED file's content: a {@link CheckpointFailure} without the error object. */
export interface RecordedCheckpointFailure {
  /** When it failed, ISO 8601 (UTC). */
  time: string
  background: boolean
  /** The error's code (LEVEL_IO_ERROR). */
  code: string
  /** The code of the underlying file-system error (ENOSPC, EIO, …), or null. */
  cause: string | null
  /** The error's message, with the underlying error's. */
  message: string
  snapshotSeq: number
  seq: number
  writesDisabled: boolean
}

// The record is a few hundred bytes; a larger file is not one we wrote, and is not read.
const MAX_RECORD_BYTES = 64 * 1024

/** The record of `failure`, as written to CHECKPOINT-FAILED. */
export function recordOf (failure: CheckpointFailure): RecordedCheckpointFailure {
  const { error } = failure
  const cause = (error as { cause?: unknown }).cause
  const causeCode = (cause as { code?: unknown } | undefined)?.code
  return {
    time: new Date(failure.time).toISOString(),
    background: failure.background,
    code: String((error as { code?: unknown }).code ?? 'unknown'),
    cause: typeof causeCode === 'string' ? causeCode : null,
    message: cause instanceof Error ? `${error.message}: ${cause.message}` : error.message,
    snapshotSeq: failure.snapshotSeq,
    seq: failure.seq,
    writesDisabled: failure.writesDisabled
  }
}

/** Replaces the record in `directory` with `failure`'s. Best effort: a failure to record is ignored. */
export async function recordCheckpointFailure (fs: FileSystem, directory: string, failure: CheckpointFailure): Promise<void> {
  const path = join(directory, CHECKPOINT_FAILED_NAME)
  try {
    await removeIfPresent(fs, path)
    const handle = await fs.open(path, 'create')
    try {
      await handle.write(new TextEncoder().encode(JSON.stringify(recordOf(failure)) + '\n'), 0)
    } finally {
      await handle.close()
    }
  } catch {
    // Advisory only: db.lastCheckpoint and the event still tell the application.
  }
}

/** Removes the record from `directory`, if there is one (after a checkpoint succeeded). Best effort. */
export async function clearCheckpointFailure (fs: FileSystem, directory: string): Promise<void> {
  await removeIfPresent(fs, join(directory, CHECKPOINT_FAILED_NAME)).catch(() => {})
}

async function removeIfPresent (fs: FileSystem, path: string): Promise<void> {
  await fs.unlink(path).catch((err: unknown) => { if (!isErrno(err, 'ENOENT')) throw err })
}

/**
 * The last failed checkpoint recorded in `directory`, or null when none is
 * (none failed, or one succeeded since). A record that is not one we wrote
 * (too large, not the JSON above) comes back with `code` 'unreadable'.
 */
export async function readCheckpointFailure (fs: FileSystem, directory: string): Promise<RecordedCheckpointFailure | null> {
  const path = join(directory, CHECKPOINT_FAILED_NAME)
  const stat = await fs.stat(path)
  if (stat === null) return null
  if (!stat.isFile || stat.size > MAX_RECORD_BYTES) return unreadable(`${path} is not a checkpoint failure record`)
  try {
    const parsed = JSON.parse(new TextDecoder().decode(await fs.readFile(path))) as Partial<RecordedCheckpointFailure>
    if (typeof parsed.time !== 'string' || typeof parsed.code !== 'string' || typeof parsed.message !== 'string' ||
      typeof parsed.seq !== 'number' || typeof parsed.snapshotSeq !== 'number') {
      return unreadable(`${path} lacks fields of a checkpoint failure record`)
    }
    return {
      time: parsed.time,
      background: parsed.background === true,
      code: parsed.code,
      cause: typeof parsed.cause === 'string' ? parsed.cause : null,
      message: parsed.message,
      snapshotSeq: parsed.snapshotSeq,
      seq: parsed.seq,
      writesDisabled: parsed.writesDisabled === true
    }
  } catch (err) {
    return unreadable(`${path} is unreadable: ${(err as Error).message}`)
  }
}

function unreadable (message: string): RecordedCheckpointFailure {
  return { time: '', background: false, code: 'unreadable', cause: null, message, snapshotSeq: 0, seq: 0, writesDisabled: false }
}
