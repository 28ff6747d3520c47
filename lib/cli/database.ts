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
import { hasCode, levelError } from '../errors'
import { givenUp } from '../store/integrity'

/** The offline view of the database in `location`, as open() would recover it. */
export async function viewDatabase (location: string): Promise<DatabaseView> {
  return await readView(nodeFileSystem, location)
}

/**
 * The view the reading commands show. On a damaged database that open()
 * refuses, the longest valid history, as the 'pointInTime' recovery mode
 * would keep it, read without changing anything; a warning on standard
 * error says so and what was skipped.
 */
export async function viewForReading (location: string): Promise<DatabaseView> {
  try {
    return await readView(nodeFileSystem, location)
  } catch (err) {
    if (!hasCode(err, 'LEVEL_CORRUPTION')) throw err
    const view = await readView(nodeFileSystem, location, { mode: 'pointInTime' })
    const lost = await givenUp(nodeFileSystem, view)
    const batches = `${lost.atLeast ? 'at least ' : ''}${lost.batches} batch${lost.batches === 1 ? '' : 'es'}`
    const files = lost.filesSetAside.filter(f => f.name !== lost.cut?.name).map(f => `${f.name} (${f.why})`)
    if (lost.cut !== null) files.push(`the last ${lost.cut.bytes} bytes of ${lost.cut.name} (damaged)`)
    process.stderr.write(
      `merkle-level: warning: ${location} is damaged: ${(err as Error).message}\n` +
      `merkle-level: warning: showing the longest valid history, up to sequence ${view.plan.seq} (${view.plan.tree.size} entries); ` +
      `skipped ${batches} after it${files.length > 0 ? `, in ${files.join(', ')}` : ''}; nothing was changed (see \`merkle-level verify\`, \`merkle-level repair\`)\n`
    )
    return view
  }
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
