/**
 * Catching an existing replica up from the change feed (docs/REPLICATION.md
 * §7.3). The replica holds its verified state's whole tree, so it needs no
 * proof from the server: it reads the batches' operations alone
 * (`changes?proofs=false`), applies them in memory to a private edit of its
 * own tree, and requires the root that gives to be the one the server
 * pinned. Only then are the net operations (the last of each key; a ranged
 * clear as the dels of the keys it removed here) applied as one batch, with
 * the record naming the pinned state as pending first (apply-changes.ts).
 * An answer that leads anywhere else is refused whole and nothing is written.
 *
 * A server that does not know `proofs=false` (an earlier release), or a
 * catch-up whose net change exceeds what is held in memory, goes page by
 * page with a change proof for each batch instead: each page verified whole
 * in memory, then applied in one batch.
 */
import { toHex } from '../bytes'
import type { MerkleLevel } from '../level/merkle-level'
import type { MerkleSnapshot } from '../level/snapshot'
import { PendingOps } from '../store/pending-ops'
import { Tree } from '../tree/tree'
import { Pacer } from '../turn'
import type { PlainChange, ReplicationClient, ServerInfo } from './client'
import { isServerCode, replicaError } from './errors'
import type { ReplicaPosition } from './state'
import { writeRecord } from './state'
import { applyChanges, applyVerified } from './apply-changes'

/** The most keys a catch-up changes in one batch; past that it goes by proofs, page by page. */
export const REPLAY_MAX_KEYS = 1 << 16

// The catch-up changes more keys than REPLAY_MAX_KEYS.
class ReplayTooLarge extends Error {}

/**
 * Applies the feed's batches from `from` up to the state `info` pinned, and
 * returns that position. Throws FeedUnusable when a batch has no proof.
 * `maxKeys`: past this many keys changed, it goes by proofs.
 */
export async function catchUp (
  client: ReplicationClient, info: ServerInfo, db: MerkleLevel<Uint8Array, Uint8Array>, location: string, from: ReplicaPosition,
  signal?: AbortSignal, maxKeys = REPLAY_MAX_KEYS
): Promise<ReplicaPosition> {
  try {
    return await replay(client, info, db, location, from, signal, maxKeys)
  } catch (err) {
    if (!(err instanceof ReplayTooLarge) && !isServerCode(err, 'REPLICATION_BAD_PARAMETER')) throw err
  }
  return await catchUpByProofs(client, info, db, location, from, signal)
}

// The batches up to info.seq, applied to the replica's own tree in memory; see the file header.
async function replay (
  client: ReplicationClient, info: ServerInfo, db: MerkleLevel<Uint8Array, Uint8Array>, location: string, from: ReplicaPosition,
  signal: AbortSignal | undefined, maxKeys: number
): Promise<ReplicaPosition> {
  const snapshot = db.snapshot() as unknown as MerkleSnapshot
  let work: Tree = snapshot.tree
  await snapshot.close()
  const edit = Tree.newEdit()
  const net = new PendingOps()
  const pacer = new Pacer()
  let seq = from.seq
  while (seq < info.seq) {
    if (signal?.aborted === true) throw replicaError('REPLICA_ABORTED', 'Replication was aborted')
    const page = await client.plainChanges(seq, Math.min(info.maxChanges, info.seq - seq))
    // Batches past the pinned state are left for the next run: this one reaches `info`.
    const changes = page.changes.filter(change => change.seq <= info.seq)
    if (changes.length === 0) throw replicaError('REPLICA_BAD_RESPONSE', `The feed sent no batch after ${seq} though its head is ${info.seq}`)
    for (const change of changes) {
      if (change.seq !== seq + 1) throw replicaError('REPLICA_BAD_RESPONSE', `The feed sent batch ${change.seq} after ${seq}`)
      work = work.edit(tree => replayBatch(tree, change, net), edit)
      if (net.size > maxKeys) throw new ReplayTooLarge()
      seq = change.seq
      if (pacer.due) await pacer.turn()
    }
  }
  const root = toHex(await work.rootAsync())
  if (root !== info.root) throw replicaError('REPLICA_ROOT_MISMATCH', `The feed's batches after ${from.seq} lead to ${root}, not to the state ${info.root} the server pinned`)
  const reached = await applyVerified(db, location, from, { ops: net.sorted(), to: { root: info.root, seq: info.seq } })
  await writeRecord(location, reached)
  return reached
}

// One batch applied to `tree` (inside an edit), its net effect noted in `net`.
function replayBatch (tree: Tree, change: PlainChange, net: PendingOps): Tree {
  for (const op of change.ops) {
    if (op.type === 'clear') {
      tree = tree.delRange(op.range, key => net.add({ type: 'del', key }))
    } else {
      tree = op.type === 'put' ? tree.put(op.key, op.value) : tree.del(op.key)
      net.add(op)
    }
  }
  return tree
}

// The feed page by page, each batch with its change proof (apply-changes.ts).
async function catchUpByProofs (
  client: ReplicationClient, info: ServerInfo, db: MerkleLevel<Uint8Array, Uint8Array>, location: string, from: ReplicaPosition, signal?: AbortSignal
): Promise<ReplicaPosition> {
  let at = from
  while (at.seq < info.seq) {
    if (signal?.aborted === true) throw replicaError('REPLICA_ABORTED', 'Replication was aborted')
    const page = await client.changes(at.seq, Math.min(info.maxChanges, info.seq - at.seq))
    const changes = page.changes.filter(change => change.seq <= info.seq)
    if (changes.length === 0) throw replicaError('REPLICA_BAD_RESPONSE', `The feed sent no batch after ${at.seq} though its head is ${info.seq}`)
    at = await applyChanges(db, location, at, changes)
    await writeRecord(location, at)
  }
  return at
}
