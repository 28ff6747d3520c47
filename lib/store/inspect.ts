/**
 * A read-only view of a database directory, for the offline tools: what
 * open() would recover (recovery.ts plans it without acting), the files with
 * their sizes, and who holds the lock. It reads through a read-only file
 * system, takes no lock and changes nothing, so it works on a damaged
 * database and beside a process that has the database open (the view is
 * then a moment's picture).
 */
import { NodeCache } from '../image/node-cache'
import { DEFAULT_CACHE_BYTES } from './options'
import { join } from 'node:path'
import { levelError } from '../errors'
import { isErrno } from '../fs/file-system'
import type { FileSystem } from '../fs/file-system'
import { readOnlyFileSystem } from '../fs/read-only-file-system'
import { DEFAULT_PARAMS } from '../tree/params'
import { classify } from './file-names'
import type { FileKind } from './file-names'
import { readLockState } from './lock'
import type { LockState } from './lock'
import { planRecovery } from './recovery'
import type { RecoveryMode, RecoveryPlan } from './recovery'

/** A file of the database directory. */
export interface DirectoryEntry {
  name: string
  kind: FileKind['kind']
  bytes: number
}

/** What a database directory holds and what open() would make of it. */
export interface DatabaseView {
  location: string
  files: DirectoryEntry[]
  lock: LockState
  /** The recovered state and the actions open() would take. */
  plan: RecoveryPlan
}

/** Options of {@link readView}. */
export interface ViewOptions {
  /** How to treat damage that is not a torn tail (default 'strict': refuse with LEVEL_CORRUPTION). */
  mode?: RecoveryMode
  /** Told the size of every file read. */
  onRead?: (bytes: number) => void
}

// A checkpoint of a process that has the database open may delete a file
// between listing and reading: read again from the start.
const ATTEMPTS = 3

/**
 * Reads the database in `directory` without changing it. Rejects with
 * LEVEL_DATABASE_NOT_OPEN when no database is there and with
 * LEVEL_CORRUPTION when open() would refuse it.
 */
export async function readView (fs: FileSystem, directory: string, options: ViewOptions = {}): Promise<DatabaseView> {
  const reader = readOnlyFileSystem(fs, options.onRead)
  const location = await locationState(reader, directory)
  if (location.state !== 'directory') throw levelError(location.problem, 'LEVEL_DATABASE_NOT_OPEN')
  for (let attempt = 1; ; attempt++) {
    try {
      const files = await listFiles(reader, directory)
      const plan = await planRecovery(reader, directory, options.mode ?? 'strict', DEFAULT_PARAMS, new NodeCache(DEFAULT_CACHE_BYTES))
      if (!plan.existed) throw levelError(`No database in ${directory} (no log segment and no snapshot)`, 'LEVEL_DATABASE_NOT_OPEN')
      return { location: directory, files, lock: await readLockState(reader, directory), plan }
    } catch (err) {
      if (!isErrno(err, 'ENOENT') || attempt === ATTEMPTS) throw err
    }
  }
}

async function listFiles (fs: FileSystem, directory: string): Promise<DirectoryEntry[]> {
  const files: DirectoryEntry[] = []
  for (const name of (await fs.readdir(directory)).sort()) {
    const stat = await fs.stat(join(directory, name))
    if (stat === null || !stat.isFile) continue
    files.push({ name, kind: classify(name).kind, bytes: stat.size })
  }
  return files
}

/** What is at a database location: a directory, nothing, or something that is not a directory and cannot become one (with a sentence saying so). */
export type LocationState =
  | { state: 'directory' }
  | { state: 'missing' | 'not-a-directory', problem: string }

/** Looks at `directory` without changing anything. */
export async function locationState (fs: FileSystem, directory: string): Promise<LocationState> {
  let stat
  try {
    stat = await fs.stat(directory)
  } catch (err) {
    if (!isErrno(err, 'ENOTDIR')) throw err
    return { state: 'not-a-directory', problem: `Database ${directory} does not exist: a part of its path is not a directory` }
  }
  if (stat === null) return { state: 'missing', problem: `Database ${directory} does not exist` }
  if (!stat.isDirectory) return { state: 'not-a-directory', problem: `${directory} is ${stat.isFile ? 'a file' : 'not a directory'}, not a database directory` }
  return { state: 'directory' }
}

/** True when `directory` holds a database (a WAL segment, a snapshot or a delta image), whatever its state. */
export async function holdsDatabase (fs: FileSystem, directory: string): Promise<boolean> {
  const stat = await fs.stat(directory)
  if (stat === null || !stat.isDirectory) return false
  return (await fs.readdir(directory)).some(name => {
    const kind = classify(name).kind
    return kind === 'segment' || kind === 'snapshot' || kind === 'delta'
  })
}
