/**
 * Listing a database directory. Every name the database claims (file-
 * names.ts) must be a regular file: a symbolic link, a directory, a FIFO or a
 * device under one of our names is nothing the database wrote, and reading it
 * could block forever (a FIFO), never end (/dev/zero), or reach outside the
 * directory (a link: a repair would truncate the file it points to). Such an
 * entry is refused with LEVEL_CORRUPTION naming it, before any file is opened.
 * Names that are not ours are the user's, and are not looked at.
 */
import { join } from 'node:path'
import { corruption } from '../errors'
import type { FileStat, FileSystem } from '../fs/file-system'
import { isOwnName } from './file-names'

/**
 * The names in `directory`, sorted, once every name of ours in it was found a
 * regular file; rejects with LEVEL_CORRUPTION otherwise. A name of ours that
 * vanished meanwhile (a checkpoint of a process that has the database open)
 * is left out.
 */
export async function listDirectory (fs: FileSystem, directory: string): Promise<string[]> {
  const names: string[] = []
  for (const name of (await fs.readdir(directory)).sort()) {
    if (isOwnName(name)) {
      const path = join(directory, name)
      const stat = await fs.lstat(path)
      if (stat === null) continue
      if (!stat.isFile) throw notRegular(path, stat)
    }
    names.push(name)
  }
  return names
}

/** The LEVEL_CORRUPTION error for a database file at `path` that is not a regular file. */
export function notRegular (path: string, stat: FileStat): Error {
  const what = stat.isSymbolicLink ? 'a symbolic link' : stat.isDirectory ? 'a directory' : 'a device, FIFO or socket'
  return corruption(`Database file ${path} is not a regular file but ${what}; the database only ever writes regular files there: move it away by hand`)
}
