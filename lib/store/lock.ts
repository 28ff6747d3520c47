/**
 * The database lock. Node has no flock(2), so the lock is a LOCK file created
 * atomically with its content (written to a temporary name, then hard-linked
 * to LOCK, which fails if LOCK exists) naming its holder: process id, thread
 * id, host and a random token. A second open finds LOCK and is refused with
 * LEVEL_LOCKED while the holder lives. A holder that died (SIGKILL, power
 * loss) leaves a stale LOCK: the next open sees that the process is gone and
 * takes the lock over. Within one process a registry of held locations
 * refuses a second instance before the file system is asked. The registry is
 * kept per file-system instance: the real disk is one instance (the default),
 * while every simulated disk of the tests is a world of its own.
 *
 * Known limits: a lock held by a process on another host (a shared network
 * directory) is always treated as live; a reused process id makes a stale
 * lock look live until the file is removed by hand (the error says so).
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { threadId } from 'node:worker_threads'
import { levelError } from '../errors'
import { isErrno } from '../fs/file-system'
import type { FileSystem } from '../fs/file-system'
import { LOCK_NAME } from './file-names'

interface LockOwner {
  pid: number
  thread: number
  host: string
  token: string
}

const registries = new WeakMap<FileSystem, Set<string>>()

// The locations held in this process on `fs`.
function heldOn (fs: FileSystem): Set<string> {
  let held = registries.get(fs)
  if (held === undefined) {
    held = new Set()
    registries.set(fs, held)
  }
  return held
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

  /** Takes the lock of `directory` or rejects with a LEVEL_LOCKED error. */
  static async acquire (fs: FileSystem, directory: string): Promise<DatabaseLock> {
    const key = resolve(directory)
    const held = heldOn(fs)
    if (held.has(key)) throw locked(directory, 'it is already open in this process')
    held.add(key)
    try {
      const token = randomBytes(8).toString('hex')
      const path = join(directory, LOCK_NAME)
      await takeFile(fs, directory, path, { pid: process.pid, thread: threadId, host: hostname(), token })
      return new DatabaseLock(fs, key, path, token)
    } catch (err) {
      held.delete(key)
      throw err
    }
  }

  /** Removes the lock file (only if it is still ours) and forgets the location. */
  async release (): Promise<void> {
    if (this.#released) return
    this.#released = true
    try {
      const owner = parseOwner(await this.fs.readFile(this.path))
      if (owner?.token === this.token) await this.fs.unlink(this.path)
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err
    } finally {
      heldOn(this.fs).delete(this.key)
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
 */
export async function readLockState (fs: FileSystem, directory: string): Promise<LockState> {
  const owner = await readOwner(fs, join(directory, LOCK_NAME))
  if (owner === undefined) return { state: 'free' }
  if (owner === null) return { state: 'unreadable' }
  // Our own process: the registry knows whether this thread holds it.
  const ours = owner.pid === process.pid && owner.host === hostname() && heldOn(fs).has(resolve(directory))
  return { state: 'held', pid: owner.pid, thread: owner.thread, host: owner.host, live: ours || isAlive(owner) }
}

function locked (directory: string, why: string): Error {
  return levelError(`Database ${directory} is locked: ${why}`, 'LEVEL_LOCKED')
}

async function takeFile (fs: FileSystem, directory: string, path: string, me: LockOwner): Promise<void> {
  const temp = `${path}.tmp-${me.token}`
  const handle = await fs.open(temp, 'create')
  try {
    await handle.write(new TextEncoder().encode(JSON.stringify(me) + '\n'), 0)
  } finally {
    await handle.close()
  }
  try {
    // Two attempts: the second after a stale lock was moved out of the way.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.link(temp, path)
        return
      } catch (err) {
        if (!isErrno(err, 'EEXIST')) throw err
      }
      const owner = await readOwner(fs, path)
      if (owner !== undefined && owner !== null && isAlive(owner)) {
        throw locked(directory, `held by process ${owner.pid} on ${owner.host}` +
          ' (if that process is gone and its id was reused, remove the LOCK file)')
      }
      await fs.unlink(path).catch((err) => { if (!isErrno(err, 'ENOENT')) throw err })
    }
    throw locked(directory, 'another process took the lock at the same moment')
  } finally {
    await fs.unlink(temp).catch(() => {})
  }
}

async function readOwner (fs: FileSystem, path: string): Promise<LockOwner | null | undefined> {
  try {
    return parseOwner(await fs.readFile(path))
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined
    throw err
  }
}

function parseOwner (bytes: Uint8Array): LockOwner | null {
  try {
    const o = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LockOwner>
    if (typeof o.pid !== 'number' || typeof o.token !== 'string' || typeof o.host !== 'string') return null
    return { pid: o.pid, thread: typeof o.thread === 'number' ? o.thread : 0, host: o.host, token: o.token }
  } catch {
    return null
  }
}

// A lock whose holder cannot be read (null) is not a lock a live holder made: links are
// atomic, so it was damaged afterwards. Undefined means the file vanished meanwhile: retry.
function isAlive (owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true
  if (owner.pid === process.pid) {
    // Our own process id: another thread of ours may hold it; our own thread does not
    // (the registry said so), so it is left from an earlier process with the same id.
    return owner.thread !== threadId
  }
  try {
    process.kill(owner.pid, 0)
    return true
  } catch (err) {
    return isErrno(err, 'EPERM')
  }
}
