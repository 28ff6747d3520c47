/**
 * Catching a replica up by diff (docs/REPLICATION.md §7.5), when the feed
 * cannot: its position is gone from the server's log, the server moved to
 * another history, or a batch has no proof. The replica must hold a
 * verified state (its data has the root its record names), with entries,
 * under the server's salt. The descent (descent.ts) verifies the server's
 * tree against the pinned root and finds what differs; the difference is
 * applied in one batch, between a record naming the target as pending and
 * one naming it reached, like a feed batch (catch-up.ts).
 */
import type { MerkleLevel } from '../level/merkle-level'
import type { MerkleSnapshot } from '../level/snapshot'
import { bytesEqual, toHex } from '../bytes'
import { keysWithin } from '../tree/subtree-search'
import type { ReplicationClient, ServerInfo } from './client'
import { descend } from './descent'
import { replicaError } from './errors'
import type { ReplicaPosition } from './state'
import { readRecord, writeRecord } from './state'

export { DescentTooLarge } from './descent'

/** A descent that would open more nodes than this share of the server's entries gives way to a full copy. */
export const MAX_OPENED_SHARE = 1 / 4
/** ... but it may always open this many. */
export const MIN_OPENED = 1024

type Operation = { type: 'put', key: Uint8Array, value: Uint8Array } | { type: 'del', key: Uint8Array }

/**
 * Brings the replica's data `db` in `location` to the state `info` pinned,
 * by diff; null when the replica cannot take this way (no verified state,
 * no entries, another salt). Throws DescentTooLarge when a full copy is
 * the better way.
 */
export async function diffSync (
  client: ReplicationClient, info: ServerInfo, db: MerkleLevel<Uint8Array, Uint8Array>, location: string, signal?: AbortSignal
): Promise<ReplicaPosition | null> {
  if (toHex(db.treeParams?.salt ?? new Uint8Array(0)) !== info.salt) return null
  const record = await readRecord(location)
  if (record === null || toHex(await db.root()) !== record.root) return null
  const at: ReplicaPosition = { root: record.root, seq: record.seq }
  const target: ReplicaPosition = { root: info.root, seq: info.seq }
  const ops = await difference(client, info, db, signal)
  if (ops === null) return null
  await writeRecord(location, { ...at, pending: target })
  if (ops.length > 0) await db.batch(ops)
  const root = toHex(await db.root())
  if (root !== target.root) throw replicaError('REPLICA_ROOT_MISMATCH', `After the diff the replica's root is ${root}, not ${target.root}`)
  await writeRecord(location, target)
  return target
}

// The operations that turn the replica's current state into the server's; null when it has no entries.
async function difference (
  client: ReplicationClient, info: ServerInfo, db: MerkleLevel<Uint8Array, Uint8Array>, signal?: AbortSignal
): Promise<Operation[] | null> {
  const snapshot = db.snapshot() as unknown as MerkleSnapshot
  try {
    const tree = snapshot.tree
    if (tree.size === 0) return null
    await tree.rootAsync()
    const maxOpened = Math.max(MIN_OPENED, Math.floor(info.count * MAX_OPENED_SHARE))
    const found = await descend(client, info, tree.top, maxOpened, signal)
    const ops: Operation[] = []
    for (const { key, value } of found.entries) {
      const held = tree.get(key)
      if (held === undefined || !bytesEqual(held, value)) ops.push({ type: 'put', key, value })
    }
    for (const gap of found.gaps) {
      for (const key of keysWithin(tree.top, gap)) ops.push({ type: 'del', key })
    }
    return ops
  } finally {
    await snapshot.close()
  }
}
