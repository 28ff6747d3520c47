/**
 * One replicate or follow at a time per replica directory. The replica's
 * directory itself cannot carry the lock: a full copy swaps it for another
 * (swap.ts), and between the two renames it does not exist. So the lock is
 * the database lock (lib/store/lock.ts: a LOCK file naming its holder, taken
 * over when that process is gone, a SIGKILL included) in a companion
 * directory `<dir>.replica-lock`, which is removed again on release when it
 * is empty.
 */
import { resolve } from 'node:path'
import { hasCode } from '../errors'
import { nodeFileSystem as fs } from '../fs/node-file-system'
import { DatabaseLock } from '../store/lock'
import { replicaError } from './errors'

/** The directory that holds the lock of the replica in `location`. */
export function lockDirectory (location: string): string {
  return `${resolve(location)}.replica-lock`
}

// A releasing holder may remove the directory between our mkdir and our LOCK file: try again.
const ATTEMPTS = 3

/** Takes the lock of the replica in `location`, or rejects with REPLICA_BUSY (its cause: LEVEL_LOCKED). */
export async function lockReplica (location: string): Promise<ReplicaLock> {
  const directory = lockDirectory(location)
  for (let attempt = 1; ; attempt++) {
    await fs.mkdir(directory)
    try {
      return new ReplicaLock(await DatabaseLock.acquire(fs, directory), directory)
    } catch (err) {
      if (hasCode(err, 'LEVEL_LOCKED')) {
        throw replicaError('REPLICA_BUSY', `Another process or task is replicating into ${resolve(location)}`, { cause: err })
      }
      if (attempt >= ATTEMPTS || (await fs.stat(directory)) !== null) throw err
    }
  }
}

/** A held replica lock; release it once. */
export class ReplicaLock {
  readonly #lock: DatabaseLock
  readonly #directory: string

  /** Use {@link lockReplica}. */
  constructor (lock: DatabaseLock, directory: string) {
    this.#lock = lock
    this.#directory = directory
  }

  /** Lets the lock go, and removes its directory unless another holder is already in it. */
  async release (): Promise<void> {
    await this.#lock.release()
    await fs.rmdir(this.#directory).catch(() => {})
  }
}

/** Runs `work` holding the lock of the replica in `location`. */
export async function withReplicaLock<T> (location: string, work: () => Promise<T>): Promise<T> {
  const lock = await lockReplica(location)
  try {
    return await work()
  } finally {
    await lock.release()
  }
}
