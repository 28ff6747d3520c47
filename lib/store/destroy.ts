/**
 * Deleting a database: take its lock (so an open database is never deleted
 * under its holder), remove our files, then the directory if nothing else is
 * in it. Files we do not recognise are left in place.
 */
import { join } from 'node:path'
import type { FileSystem } from '../fs/file-system'
import { classify } from './file-names'
import { DatabaseLock } from './lock'

/** Removes the database files in `directory`; a missing directory is not an error. */
export async function destroyDatabase (fs: FileSystem, directory: string): Promise<void> {
  const stat = await fs.stat(directory)
  if (stat === null) return
  const lock = await DatabaseLock.acquire(fs, directory)
  try {
    for (const name of await fs.readdir(directory)) {
      const kind = classify(name).kind
      if (kind !== 'unknown' && kind !== 'lock') await fs.unlink(join(directory, name))
    }
    await fs.syncDirectory(directory)
  } finally {
    await lock.release()
  }
  if ((await fs.readdir(directory)).length === 0) await fs.rmdir(directory)
}
