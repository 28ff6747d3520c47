/**
 * Deleting a database: take the lock open() takes (so that a database open
 * in this process or another, under this name or any other, is refused with
 * LEVEL_LOCKED before anything is deleted), check every file of ours
 * (directory-listing.ts), remove them, then the directory if nothing else is
 * in it. Files we do not recognise are left in place. Reached through a
 * symbolic link, the database's files are removed and the directory and the
 * link are left.
 */
import { join } from 'node:path'
import { asIoError, ioError } from '../errors'
import type { FileSystem } from '../fs/file-system'
import { listDirectory } from './directory-listing'
import { classify } from './file-names'
import { DatabaseLock } from './lock'

/**
 * Removes the database files in `directory`; a missing directory is not an
 * error. Rejects with LEVEL_LOCKED while the database is open, with
 * LEVEL_CORRUPTION when a name of ours is not a regular file (nothing is
 * deleted then) and with LEVEL_IO_ERROR otherwise.
 */
export async function destroyDatabase (fs: FileSystem, directory: string): Promise<void> {
  try {
    await destroy(fs, directory)
  } catch (err) {
    throw asIoError(err, `Could not destroy the database in ${directory}`)
  }
}

async function destroy (fs: FileSystem, directory: string): Promise<void> {
  const entry = await fs.lstat(directory)
  if (entry === null) return
  const stat = entry.isSymbolicLink ? await fs.stat(directory) : entry
  if (stat === null) return
  if (!stat.isDirectory) throw ioError(`Location ${directory} exists and is not a directory: there is no database to destroy`)
  const lock = await DatabaseLock.acquire(fs, directory)
  try {
    for (const name of await listDirectory(fs, directory)) {
      const kind = classify(name).kind
      if (kind !== 'unknown' && kind !== 'lock') await fs.unlink(join(directory, name))
    }
    await fs.syncDirectory(directory)
  } finally {
    await lock.release()
  }
  if (!entry.isSymbolicLink && (await fs.readdir(directory)).length === 0) await fs.rmdir(directory)
}
