/**
 * The change proof: that the state with root R1 becomes the state with root
 * R2 by exactly a list of puts and dels (docs/MERKLE.md, "Change proofs").
 * It carries the operations, the public parameters R1 binds (salt, entry
 * count) and a pruned copy of R1's tree that opens exactly the nodes a treap
 * insert or delete of the changed keys reads (change-apply.ts); every other
 * subtree is only its hash. No value of R1 is shown: opened nodes carry their
 * value hash. This file holds the data types only; change-codec.ts and
 * change-json.ts encode them, prove-change.ts builds them and
 * verify-change.ts checks them.
 */
import type { ProofNode } from './proof'

/** Sets a key (bytes as stored). */
export interface ChangePut {
  readonly type: 'put'
  readonly key: Uint8Array
  readonly value: Uint8Array
}

/** Deletes a key (bytes as stored); deleting an absent key changes nothing. */
export interface ChangeDel {
  readonly type: 'del'
  readonly key: Uint8Array
}

/** One operation of a change, applied in order as a batch applies them: the last one on a key wins. */
export type ChangeOp = ChangePut | ChangeDel

/** One position of R1's pruned tree, in pre-order: empty, pruned to its hash, or opened with its value hash. */
export type ChangeProofNode = Extract<ProofNode, { type: 'empty' | 'pruned' | 'path' }>

/** A proof that applying `ops` to the state R1 gives the state R2. */
export interface ChangeProof {
  readonly kind: 'change'
  /** The salt of the priority hash (bound by both roots). */
  readonly salt: Uint8Array
  /** Number of entries in R1 (bound by R1; R2's follows from the operations). */
  readonly count: number
  /** The operations, in the order given. */
  readonly ops: readonly ChangeOp[]
  /** R1's pruned tree in pre-order: a node is followed by its left, then its right subtree. */
  readonly nodes: readonly ChangeProofNode[]
}
