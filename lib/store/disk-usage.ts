/**
 * What a database's own files take on disk, by kind: the figures of
 * `merkle-level info` for a database that is open. Files a checkpoint
 * removes while they are listed are left out, not an error.
 */
import { join } from 'node:path'
import type { FileSystem } from '../fs/file-system'
import { classify } from './file-names'

/** A number of files and their bytes. */
export interface FileCount {
  files: number
  bytes: number
}

/** The database's own files (file-names.ts) by kind; the user's are not counted. */
export interface DiskUsage {
  /** Every file of the database, the lock included. */
  bytes: number
  /** The write-ahead log: the segments `open()` reads. */
  log: FileCount
  /** Retired segments kept for change feeds (`retainLogBytes`, `retainLogMs`). */
  retainedLog: FileCount
  /** Snapshot images, base and deltas. */
  images: FileCount
  /** Temporary files, status and set-aside files, the lock. */
  other: FileCount
}

/** Lists `directory` and adds up the sizes of the database's files. */
export async function diskUsage (fs: FileSystem, directory: string): Promise<DiskUsage> {
  const usage: DiskUsage = { bytes: 0, log: none(), retainedLog: none(), images: none(), other: none() }
  for (const name of await fs.readdir(directory)) {
    const { kind } = classify(name)
    if (kind === 'unknown') continue
    const stat = await fs.lstat(join(directory, name))
    if (stat === null || !stat.isFile) continue
    const count = kind === 'segment' ? usage.log : kind === 'retained' ? usage.retainedLog : kind === 'snapshot' || kind === 'delta' ? usage.images : usage.other
    count.files++
    count.bytes += stat.size
    usage.bytes += stat.size
  }
  return usage
}

function none (): FileCount {
  return { files: 0, bytes: 0 }
}
