/**
 * One step of following the server: a page of changes after the replica's
 * state is verified batch by batch in memory (each change proof from the
 * root before it to the root it claims, the first from the replica's own),
 * or a `step` answer's one proof from the replica's root to the root it
 * claims, then applied to the replica as ONE batch, which takes it from its
 * verified root straight to the verified root at the end. An answer that
 * fails any check is refused whole and nothing is written.
 *
 * The record (state.ts) is written once per step, before the batch:
 * `{ root: from, pending: to }`. The batch before was durable when it
 * resolved, so the data is at `from` when the record is written and at
 * `from` or `to` after a crash; the next step's record names the next pair.
 * A follower that stops writes the plain record of where it is.
 */
import { toHex } from '../bytes'
import type { MerkleLevel } from '../level/merkle-level'
import type { ChangeOp } from '../tree/change-proof'
import { changeProofFromJson } from '../tree/change-json'
import { nodeCryptoHashing } from '../tree/node-crypto-hashes'
import { verifyChangeProofWith } from '../tree/verify-change'
import type { FeedChange, StepPage } from './client'
import { FeedUnusable, replicaError } from './errors'
import type { ReplicaPosition } from './state'
import { writeRecord } from './state'

/** The operations of the changes after `from`, each verified against the root before it, and the state they lead to. */
export function verifyChanges (from: ReplicaPosition, changes: FeedChange[]): { ops: ChangeOp[], to: ReplicaPosition } {
  const ops: ChangeOp[] = []
  let at = from
  for (const change of changes) {
    if (change.seq !== at.seq + 1) throw replicaError('REPLICA_BAD_RESPONSE', `The feed sent batch ${change.seq} after ${at.seq}`)
    if (change.root === null || change.proof === null) throw new FeedUnusable(`The feed has no proof for batch ${change.seq}`)
    // The verifier of merkle-level/verify with node:crypto's hashes: the same checks, several times faster in Node.
    ops.push(...verifyChangeProofWith(nodeCryptoHashing, changeProofFromJson(change.proof), { from: at.root, to: change.root }).ops)
    at = { root: change.root, seq: change.seq }
  }
  return { ops, to: at }
}

/** The operations of a step after `from` (with a batch after it), verified by its proof from `from`'s root to the root it claims, and the state they lead to. */
export function verifyStep (from: ReplicaPosition, step: StepPage): { ops: ChangeOp[], to: ReplicaPosition } {
  if (step.root === null || step.proof === null) throw replicaError('REPLICA_BAD_RESPONSE', `The step after batch ${from.seq} has no proof`)
  const ops = verifyChangeProofWith(nodeCryptoHashing, changeProofFromJson(step.proof), { from: from.root, to: step.root }).ops
  return { ops, to: { root: step.root, seq: step.last } }
}

/** Verifies `changes` (after the replica's state `from`) and applies them in one batch; resolves with the new state. */
export async function applyChanges (
  db: MerkleLevel<Uint8Array, Uint8Array>, location: string, from: ReplicaPosition, changes: FeedChange[]
): Promise<ReplicaPosition> {
  return await applyVerified(db, location, from, verifyChanges(from, changes))
}

/** Applies verified operations in one batch, recorded as pending first (see the file header); resolves with the new state. */
export async function applyVerified (
  db: MerkleLevel<Uint8Array, Uint8Array>, location: string, from: ReplicaPosition, { ops, to }: { ops: ChangeOp[], to: ReplicaPosition }
): Promise<ReplicaPosition> {
  if (to.seq === from.seq) return from
  await writeRecord(location, { ...from, pending: to })
  await db.batch(ops.map(op => op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key }))
  const root = toHex(await db.root())
  if (root !== to.root) throw replicaError('REPLICA_ROOT_MISMATCH', `After batch ${to.seq} the replica's root is ${root}, not ${to.root}`)
  return to
}
