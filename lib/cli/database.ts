/**
 * How commands reach a database. Commands that only read use the offline
 * view (lib/store/inspect.ts): no lock, nothing changed, usable beside a
 * process that has the database open. Commands that write open it as a
 * MerkleLevel, which takes the lock and recovers.
 */
import { MerkleLevel } from '../../index'
import type { MerkleLevelOptions } from '../../index'
import { nodeFileSystem } from '../fs/node-file-system'
import { holdsDatabase, locationState, readView } from '../store/inspect'
import { UsageError } from './exit-codes'
import type { DatabaseView } from '../store/inspect'
import type { LockState } from '../store/lock'
import { hasCode, ioError, levelError } from '../errors'
import { givenUp } from '../store/integrity'

/**
 * Runs `read` on the database in `location`. A file-system error that carries
 * no LEVEL_* code (an EISDIR from a read, which names no path) becomes a
 * LEVEL_IO_ERROR naming the database, so that every message says where.
 */
export async function readingDatabase<T> (location: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('LEVEL_'))) throw err
    throw ioError(`Cannot read the database in ${location}`, err)
  }
}

/** The offline view of the database in `location`, as open() would recover it. */
export async function viewDatabase (location: string): Promise<DatabaseView> {
  return await readingDatabase(location, async () => await readView(nodeFileSystem, location))
}

/**
 * The view the reading commands show. On a damaged database that open()
 * refuses, the longest valid history, as the 'pointInTime' recovery mode
 * would keep it, read without changing anything; a warning on standard
 * error says so and what was skipped.
 */
export async function viewForReading (location: string): Promise<DatabaseView> {
  return await readingDatabase(location, async () => await readOrSalvage(location))
}

async function readOrSalvage (location: string): Promise<DatabaseView> {
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
  const where = await locationState(nodeFileSystem, location)
  // Where no directory can be made is a bad argument to import, which creates databases.
  if (where.state === 'not-a-directory' && create) throw new UsageError(where.problem)
  if (where.state !== 'directory' && !create) throw levelError(where.problem, 'LEVEL_DATABASE_NOT_OPEN')
  if (!create && !(await holdsDatabase(nodeFileSystem, location))) {
    throw levelError(`No database in ${location} (no log segment and no snapshot)`, 'LEVEL_DATABASE_NOT_OPEN')
  }
  const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view', ...rest })
  try {
    await db.open()
  } catch (err) {
    // The causes keep their codes (LEVEL_LOCKED, LEVEL_CORRUPTION, …), which choose the exit code.
    throw levelError(`Cannot open the database in ${location}`, 'LEVEL_DATABASE_NOT_OPEN', { cause: err })
  }
  return db
}

/** The lock state in words. */
export function describeLock (lock: LockState): string {
  if (lock.state === 'free') return 'free'
  if (lock.state === 'unreadable') return 'LOCK file unreadable (the next open replaces it)'
  const who = `process ${lock.pid} on ${lock.host}`
  return lock.live ? `held by ${who}` : `stale: ${who} is gone (the next open takes over)`
}
