/**
 * Catching an existing replica up from the change feed (docs/REPLICATION.md
 * §7.3): each batch after the replica's seq, in order, must come with its
 * root and a change proof from the root before it to that root. A page of
 * batches is verified whole in memory, then the operations the proofs state
 * (not the `ops` shown) are applied in one batch (apply-changes.ts), which
 * takes the replica from its verified root to the page's last one; its root
 * must then be that one. The record is rewritten around each page
 * (state.ts: `pending`).
 */
import type { MerkleLevel } from '../level/merkle-level'
import type { ReplicationClient, ServerInfo } from './client'
import { replicaError } from './errors'
import type { ReplicaPosition } from './state'
import { writeRecord } from './state'
import { applyChanges } from './apply-changes'

/**
 * Applies the feed's batches from `from` up to the state `info` pinned, and
 * returns that position. Throws FeedUnusable when a batch has no proof.
 */
export async function catchUp (
  client: ReplicationClient, info: ServerInfo, db: MerkleLevel<Uint8Array, Uint8Array>, location: string, from: ReplicaPosition, signal?: AbortSignal
): Promise<ReplicaPosition> {
  let at = from
  while (at.seq < info.seq) {
    if (signal?.aborted === true) throw replicaError('REPLICA_ABORTED', 'Replication was aborted')
    const page = await client.changes(at.seq, Math.min(info.maxChanges, info.seq - at.seq))
    // Batches past the pinned state are left for the next run: this one reaches `info`.
    const changes = page.changes.filter(change => change.seq <= info.seq)
    if (changes.length === 0) throw replicaError('REPLICA_BAD_RESPONSE', `The feed sent no batch after ${at.seq} though its head is ${info.seq}`)
    at = await applyChanges(db, location, at, changes)
    await writeRecord(location, at)
  }
  return at
}
