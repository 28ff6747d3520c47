/**
 * The files of an open database as a crash would leave them: every file but
 * LOCK hard-linked into a fresh directory. A clean close may checkpoint and
 * retire the log; a test that needs the log on disk at the next open opens
 * this copy instead.
 */
import { linkSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { LOCK_NAME } from '../../lib/store/file-names'
import { tempLocation } from './temp'

/** Links the files of `location` (an open database whose writes were synced) into a new directory; returns it. */
export function linkedCopy (location: string, prefix = 'copy'): string {
  const copy = tempLocation(prefix)
  mkdirSync(copy, { recursive: true })
  for (const name of readdirSync(location)) if (name !== LOCK_NAME) linkSync(join(location, name), join(copy, name))
  return copy
}
