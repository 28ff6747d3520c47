/**
 * The database lock. Node has no flock(2), so the lock is a LOCK file created
 * atomically with its content (written to a temporary name, then hard-linked
 * to LOCK, which fails if LOCK exists) naming its holder: process id, the
 * process's start (FileSystem.processStart), thread id, host and a random
 * token. A second open finds LOCK and is refused with LEVEL_LOCKED while the
 * holder lives. A holder that died (SIGKILL, power loss) leaves a stale LOCK:
 * the next open sees that the process is gone and takes the lock over.
 *
 * Who holds a LOCK on this host:
 *  - another process id: the holder lives while that process exists;
 *  - our process id and our start: this very process, in some thread or
 *    instance. It is never stale, with one exception: a LOCK whose token this
 *    thread released but could not remove (a failed unlink) is ours to replace;
 *  - our process id and another start: an earlier process that had our id (a
 *    container restarted as pid 1): stale;
 *  - our process id and no start (a LOCK of a release that did not record it):
 *    stale if it names our thread, else another thread of ours may hold it.
 * A LOCK that is not a regular file cannot be one the database made: open is
 * refused with LEVEL_CORRUPTION (it is never opened: a FIFO would block). A
 * LOCK that names no holder (damaged, too large, a process id that is not a
 * positive integer) is taken over; it is read with a small bound.
 *
 * Within one process a registry of held directories refuses a second instance
 * before the file system is asked. A database is its directory, not the name
 * it was opened by: the registry is keyed by the directory's identity
 * (device and inode), so that a symbolic link to an open database is refused.
 * The registry is kept per file-system instance: the real disk is one
 * instance (the default), while every simulated disk of the tests is a world
 * of its own.
 *
 * Known limits: a lock held by a process on another host (a shared network
 * directory) is always treated as live; a process id reused by an unrelated
 * process makes a stale lock look live until the file is removed by hand
 * (the error says so).
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { ioError, levelError } from '../errors'
import { isErrno } from '../fs/file-system'
import type { FileSystem } from '../fs/file-system'
import { sameProcessStart } from '../fs/process-start'
import { notRegular } from './directory-listing'
import { LOCK_NAME } from './file-names'

interface LockOwner {
  pid: number
  thread: number
  host: string
  token: string
  /** The holder's FileSystem.processStart(); absent in LOCK files of earlier releases. */
  start?: string
}

// A LOCK we write is about 200 bytes; one larger than this is not ours, and is not read whole.
const LOCK_READ_LIMIT = 4096

interface Registry {
  /** Identities of the directories held by this thread. */
  held: Set<string>
  /** Tokens of LOCK files this thread released but could not remove. */
  released: Set<string>
}

const registries = new WeakMap<FileSystem, Registry>()

function registryOf (fs: FileSystem): Registry {
  let registry = registries.get(fs)
  if (registry === undefined) {
    registry = { held: new Set(), released: new Set() }
    registries.set(fs, registry)
  }
  return registry
}

/** A held lock; release it exactly once. */
export class DatabaseLock {
  #released = false

  private constructor (
    private readonly fs: FileSystem,
    private readonly key: string,
    private readonly path: string,
    private readonly token: string
  ) {}

  /** Takes the lock of the directory `directory` or rejects with a LEVEL_LOCKED error. */
  static async acquire (fs: FileSystem, directory: string): Promise<DatabaseLock> {
    const stat = await fs.stat(directory)
    if (stat === null || !stat.isDirectory) throw ioError(`Location ${directory} is not a directory`)
    const key = stat.id
    const { held } = registryOf(fs)
    if (held.has(key)) throw locked(directory, 'it is already open in this process')
    held.add(key)
    try {
      const token = randomBytes(8).toString('hex')
      const path = join(directory, LOCK_NAME)
      const me = { pid: process.pid, start: fs.processStart(), thread: threadId, host: hostname(), token }
      await takeFile(fs, directory, path, me)
      return new DatabaseLock(fs, key, path, token)
    } catch (err) {
      held.delete(key)
      throw err
    }
  }

  /** Removes the lock file (only if it is still ours) and forgets the directory. */
  async release (): Promise<void> {
    if (this.#released) return
    this.#released = true
    const registry = registryOf(this.fs)
    // Until the file is gone, a LOCK with this token is one this thread may replace.
    registry.released.add(this.token)
    try {
      const owner = await readOwner(this.fs, this.path)
      if (owner?.token === this.token) await this.fs.unlink(this.path)
      registry.released.delete(this.token)
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err
      registry.released.delete(this.token)
    } finally {
      registry.held.delete(this.key)
    }
  }
}

/** Who holds a database's lock, as its LOCK file says. */
export type LockState =
  | { state: 'free' }
  | { state: 'held', pid: number, thread: number, host: string, live: boolean }
  /** A LOCK file that names no holder: damaged after it was made; the next open replaces it. */
  | { state: 'unreadable' }

/**
 * Reads the LOCK file of `directory` without taking the lock. `live` is false
 * when the holder is gone (a SIGKILLed process): the next open takes over.
 * Rejects with LEVEL_CORRUPTION when LOCK is not a regular file.
 */
export async function readLockState (fs: FileSystem, directory: string): Promise<LockState> {
  const owner = await readOwner(fs, join(directory, LOCK_NAME))
  if (owner === undefined) return { state: 'free' }
  if (owner === null) return { state: 'unreadable' }
  return { state: 'held', pid: owner.pid, thread: owner.thread, host: owner.host, live: isAlive(fs, owner) }
}

function locked (directory: string, why: string): Error {
  return levelError(`Database ${directory} is locked: ${why}`, 'LEVEL_LOCKED')
}

async function takeFile (fs: FileSystem, directory: string, path: string, me: LockOwner): Promise<void> {
  const temp = `${path}.tmp-${me.token}`
  // Every way out, a failure included, removes the temporary file.
  try {
    const handle = await fs.open(temp, 'create')
    try {
      await handle.write(new TextEncoder().encode(JSON.stringify(me) + '\n'), 0)
    } finally {
      await handle.close()
    }
    // Two attempts: the second after a stale lock was moved out of the way.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.link(temp, path)
        return
      } catch (err) {
        if (!isErrno(err, 'EEXIST')) throw err
      }
      const owner = await readOwner(fs, path)
      if (owner !== undefined && owner !== null && isAlive(fs, owner)) {
        const who = owner.pid === process.pid && owner.host === hostname() ? 'this process' : `process ${owner.pid} on ${owner.host}`
        throw locked(directory, `held by ${who}` + (who === 'this process' ? '' : ' (if that process is gone and its id was reused, remove the LOCK file)'))
      }
      await fs.unlink(path).catch((err) => { if (!isErrno(err, 'ENOENT')) throw err })
    }
    throw locked(directory, 'another process took the lock at the same moment')
  } finally {
    await fs.unlink(temp).catch(() => {})
  }
}

// The holder a LOCK file names: undefined when there is no LOCK (it may have vanished
// meanwhile: retry), null when it names none (damaged). The file is looked at before it is
// opened: opening a FIFO blocks, and a link or a device is nothing the database wrote.
async function readOwner (fs: FileSystem, path: string): Promise<LockOwner | null | undefined> {
  const stat = await fs.lstat(path)
  if (stat === null) return undefined
  if (!stat.isFile) throw notRegular(path, stat)
  if (stat.size > LOCK_READ_LIMIT) return null
  let handle
  try {
    handle = await fs.open(path, 'read')
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined
    throw err
  }
  try {
    const bytes = new Uint8Array(LOCK_READ_LIMIT)
    const length = await handle.read(bytes, 0)
    return length === LOCK_READ_LIMIT ? null : parseOwner(bytes.subarray(0, length))
  } finally {
    await handle.close()
  }
}

function parseOwner (bytes: Uint8Array): LockOwner | null {
  try {
    const o = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LockOwner>
    // A process id of 0 or below names a process group to kill(2), which always "exists".
    if (!Number.isSafeInteger(o.pid) || (o.pid as number) <= 0) return null
    if (typeof o.token !== 'string' || typeof o.host !== 'string') return null
    if (o.start !== undefined && typeof o.start !== 'string') return null
    const thread = Number.isSafeInteger(o.thread) ? o.thread as number : 0
    return { pid: o.pid as number, thread, host: o.host, token: o.token, start: o.start }
  } catch {
    return null
  }
}

// Whether the holder a readable LOCK names may still hold it (the rules of the header).
function isAlive (fs: FileSystem, owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true
  if (owner.pid === process.pid) {
    if (owner.start === undefined) return owner.thread !== threadId
    if (!sameProcessStart(owner.start, fs.processStart())) return false
    return !registryOf(fs).released.has(owner.token)
  }
  try {
    process.kill(owner.pid, 0)
    return true
  } catch (err) {
    return isErrno(err, 'EPERM')
  }
}
