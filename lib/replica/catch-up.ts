/**
 * Catching an existing replica up from the change feed (docs/REPLICATION.md
 * §7.3): each batch after the replica's seq, in order, must come with its
 * root and a change proof from the replica's root to that root; the
 * operations the proof states (not the `ops` shown) are applied in one
 * batch, and the replica's root must then be the claimed one. The record is
 * rewritten around each batch (state.ts: `pending`).
 */
import type { MerkleLevel } from '../level/merkle-level'
import { toHex } from '../bytes'
import { changeProofFromJson, verifyChangeProof } from '../../verify'
import type { ReplicationClient, ServerInfo } from './client'
import { replicaError } from './errors'
import type { ReplicaPosition } from './state'
import { writeRecord } from './state'

/** Why the feed cannot bring the replica up to date: a full copy is needed. */
export class FeedUnusable extends Error {
  override readonly name = 'FeedUnusable'
}

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
    if (page.changes.length === 0) throw replicaError('REPLICA_BAD_RESPONSE', `The feed sent no batch after ${at.seq} though its head is ${info.seq}`)
    for (const change of page.changes) {
      if (change.seq !== at.seq + 1) throw replicaError('REPLICA_BAD_RESPONSE', `The feed sent batch ${change.seq} after ${at.seq}`)
      if (change.root === null || change.proof === null) throw new FeedUnusable(`The feed has no proof for batch ${change.seq}`)
      const { ops } = verifyChangeProof(changeProofFromJson(change.proof), { from: at.root, to: change.root })
      const next = { root: change.root, seq: change.seq }
      await writeRecord(location, { ...at, pending: next })
      await db.batch(ops.map(op => op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key }))
      const root = toHex(await db.root())
      if (root !== next.root) throw replicaError('REPLICA_ROOT_MISMATCH', `After batch ${next.seq} the replica's root is ${root}, not ${next.root}`)
      await writeRecord(location, next)
      at = next
      if (at.seq >= info.seq) break
    }
  }
  return at
}
