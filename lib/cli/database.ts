/**
 * How commands reach a database. Commands that only read use the offline
 * view (lib/store/inspect.ts): no lock, nothing changed, usable beside a
 * process that has the database open. Commands that write open it as a
 * MerkleLevel, which takes the lock and recovers.
 */
import { MerkleLevel } from '../../index'
import type { MerkleLevelOptions } from '../../index'
import { nodeFileSystem } from '../fs/node-file-system'
import { holdsDatabase, readView } from '../store/inspect'
import type { DatabaseView } from '../store/inspect'
import type { LockState } from '../store/lock'
import { levelError } from '../errors'

/** The offline view of the database in `location`. */
export async function viewDatabase (location: string): Promise<DatabaseView> {
  return await readView(nodeFileSystem, location)
}

/** Opens an existing database for writing (never creates one unless `create`). */
export async function openDatabase (
  location: string, options: MerkleLevelOptions<Uint8Array, Uint8Array> & { create?: boolean } = {}
): Promise<MerkleLevel<Uint8Array, Uint8Array>> {
  const { create = false, ...rest } = options
  if (!create && !(await holdsDatabase(nodeFileSystem, location))) {
    throw levelError(`No database in ${location}`, 'LEVEL_DATABASE_NOT_OPEN')
  }
  const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view', ...rest })
  await db.open()
  return db
}

/** The lock state in words. */
export function describeLock (lock: LockState): string {
  if (lock.state === 'free') return 'free'
  if (lock.state === 'unreadable') return 'LOCK file unreadable (the next open replaces it)'
  const who = `process ${lock.pid} on ${lock.host}`
  return lock.live ? `held by ${who}` : `stale: ${who} is gone (the next open takes over)`
}
