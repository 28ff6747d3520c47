/**
 * `replicate(url, location)`: brings the replica in `location` to the state
 * the server at `url` holds now, verifying every byte against Merkle roots
 * (docs/REPLICATION.md §7). A replica with a record catches up from the
 * feed; one the feed cannot bring up to date, by diff (diff-sync.ts) when
 * it holds entries; a new one, or one the diff cannot serve, is copied in
 * full by ranges and swapped in. The data in `location` is always a
 * verified state of the server's history, whatever fails. One run at a
 * time per directory: a second is refused with REPLICA_BUSY (lock.ts).
 */
import { nodeFileSystem as fs } from '../fs/node-file-system'
import { MerkleLevel } from '../level/merkle-level'
import { toHex } from '../bytes'
import { ReplicationClient } from './client'
import type { ClientOptions, ServerInfo } from './client'
import { catchUp } from './catch-up'
import { FeedUnusable, isServerCode, replicaError } from './errors'
import { DescentTooLarge, diffSync } from './diff-sync'
import { fullSync } from './full-sync'
import { readRecord, removeTemporaryRecord, writeRecord } from './state'
import type { ReplicaPosition } from './state'
import { settle } from './swap'
import { withReplicaLock } from './lock'

/** Options of {@link replicate}. */
export interface ReplicateOptions extends ClientOptions {
  /** The root (64 hex digits) the replica must reach: refused when the server holds another state. */
  root?: string
}

/** What {@link replicate} did: the state reached, and how. */
export interface ReplicateResult extends ReplicaPosition {
  /** 'full': copied by ranges; 'feed': caught up from the change feed; 'diff': by the difference of the trees; 'current': nothing to do. */
  how: 'full' | 'feed' | 'diff' | 'current'
}

// Answers that send a replica back to a full copy (§2, §7.3).
const RESYNC_CODES = ['LEVEL_CHANGES_GONE', 'REPLICATION_SINCE_AHEAD', 'REPLICATION_RESPONSE_TOO_LARGE']
// A full copy whose pinned state the server let go starts again from info, this many times.
const ROOT_GONE_RETRIES = 2

/** Brings the replica in `location` to the server's current state; see the file comment. */
export async function replicate (url: string, location: string, options: ReplicateOptions = {}): Promise<ReplicateResult> {
  const wanted = options.root?.toLowerCase()
  if (wanted !== undefined && !/^[0-9a-f]{64}$/.test(wanted)) throw new TypeError("The 'root' option must be 64 hexadecimal digits")
  const client = new ReplicationClient(url, options)
  return await withReplicaLock(location, async () => await bringUpToDate(client, location, wanted, options.signal))
}

/** {@link replicate}'s work, for a caller that holds the replica's lock (lock.ts). */
export async function bringUpToDate (client: ReplicationClient, location: string, wanted: string | undefined, signal?: AbortSignal): Promise<ReplicateResult> {
  await settle(location)
  for (let attempt = 0; ; attempt++) {
    const info = await client.info()
    if (wanted !== undefined && info.root !== wanted) {
      throw replicaError('REPLICA_ROOT_MISMATCH', `The server holds the state ${info.root}, not the required ${wanted}`)
    }
    try {
      return await reach(client, info, location, signal)
    } catch (err) {
      if (!isServerCode(err, 'REPLICATION_ROOT_GONE') || attempt >= ROOT_GONE_RETRIES) throw err
    }
  }
}

// Brings the replica to the state `info` pinned: by the feed when it can, else by a full copy.
async function reach (client: ReplicationClient, info: ServerInfo, location: string, signal?: AbortSignal): Promise<ReplicateResult> {
  const record = await readRecord(location)
  if (record === null) {
    await refuseForeign(location)
    await fullSync(client, info, location, signal)
    return { root: info.root, seq: info.seq, how: 'full' }
  }
  await removeTemporaryRecord(location)
  const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  let reached: ReplicateResult | null
  try {
    reached = await byFeed(client, info, db, location, signal) ?? await byDiff(client, info, db, location, signal)
  } finally {
    await db.close()
  }
  if (reached !== null) return reached
  await fullSync(client, info, location, signal)
  return { root: info.root, seq: info.seq, how: 'full' }
}

// The feed's way, or null when only a full copy will do.
async function byFeed (
  client: ReplicationClient, info: ServerInfo, db: MerkleLevel<Uint8Array, Uint8Array>, location: string, signal?: AbortSignal
): Promise<ReplicateResult | null> {
  if (toHex(db.treeParams?.salt ?? new Uint8Array(0)) !== info.salt) return null
  const at = await position(db, location)
  if (at === null || at.seq > info.seq) return null
  if (at.seq === info.seq) return at.root === info.root ? { ...at, how: 'current' } : null
  let reached: ReplicaPosition
  try {
    reached = await catchUp(client, info, db, location, at, signal)
  } catch (err) {
    if (err instanceof FeedUnusable || RESYNC_CODES.some(code => isServerCode(err, code))) return null
    throw err
  }
  if (reached.root !== info.root) {
    throw replicaError('REPLICA_ROOT_MISMATCH', `The feed led to ${reached.root} at ${reached.seq}, not to the state ${info.root} the server pinned`)
  }
  return { ...reached, how: 'feed' }
}

// The diff's way, or null when only a full copy will do.
async function byDiff (
  client: ReplicationClient, info: ServerInfo, db: MerkleLevel<Uint8Array, Uint8Array>, location: string, signal?: AbortSignal
): Promise<ReplicateResult | null> {
  try {
    const reached = await diffSync(client, info, db, location, signal)
    return reached === null ? null : { ...reached, how: 'diff' }
  } catch (err) {
    if (err instanceof DescentTooLarge || isServerCode(err, 'REPLICATION_RESPONSE_TOO_LARGE')) return null
    throw err
  }
}

// Where the data stands: the record's state, or its pending one when a crash came between a batch and the record.
async function position (db: MerkleLevel<Uint8Array, Uint8Array>, location: string): Promise<ReplicaPosition | null> {
  const record = await readRecord(location)
  if (record === null) return null
  const root = toHex(await db.root())
  if (root === record.root) return { root: record.root, seq: record.seq }
  if (record.pending !== undefined && root === record.pending.root) {
    await writeRecord(location, record.pending)
    return record.pending
  }
  return null
}

// A directory with files but no record is not a replica: never replace it.
async function refuseForeign (location: string): Promise<void> {
  let names: string[]
  try {
    names = await fs.readdir(location)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if (names.length > 0) throw replicaError('REPLICA_BAD_STATE', `${location} is not empty and holds no replica record: not replaced`)
}
