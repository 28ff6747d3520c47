/**
 * The proof: a pruned copy of the treap (docs/MERKLE.md, "Proofs"). It keeps
 * every node whose key interval meets the queried range, with its key and
 * either its value (the node is part of the answer) or only its value hash;
 * every other subtree is replaced by its hash. One format serves inclusion,
 * absence and ranges: a key proof is the range [key, key].
 *
 * A proof also carries the public parameters the root binds (the salt and
 * the entry count), so that a verifier needs nothing but the root. This file
 * holds the data types only; proof-codec.ts and proof-json.ts encode them,
 * prove.ts builds them from a tree and verify-proof.ts checks them.
 */

/** Version of the proof format, the first byte of an encoded proof. */
export const PROOF_VERSION = 1

/** One position of the pruned tree, in pre-order. */
export type ProofNode =
  | { readonly type: 'empty' }
  | { readonly type: 'pruned', readonly hash: Uint8Array }
  | { readonly type: 'entry', readonly key: Uint8Array, readonly value: Uint8Array }
  | { readonly type: 'path', readonly key: Uint8Array, readonly valueHash: Uint8Array }

/** A key range as in abstract-level iterators, bounds already encoded to bytes. At most one bound per side. */
export interface ProofRange {
  readonly gt?: Uint8Array
  readonly gte?: Uint8Array
  readonly lt?: Uint8Array
  readonly lte?: Uint8Array
  /** The first (or with `reverse` the last) this many entries of the range; absent: all of them. */
  readonly limit?: number
  readonly reverse: boolean
}

/** Fields every proof has. */
interface ProofBase {
  /** The salt of the priority hash (a public parameter of the root). */
  readonly salt: Uint8Array
  /** Number of entries in the database version the proof was taken from (bound by the root). */
  readonly count: number
  /** The pruned tree in pre-order: a node is followed by its left, then its right subtree. */
  readonly nodes: readonly ProofNode[]
}

/** A proof that `key` holds a value, or is absent. */
export interface KeyProof extends ProofBase {
  readonly kind: 'key'
  readonly key: Uint8Array
}

/** A proof of every entry of a range. */
export interface RangeProof extends ProofBase {
  readonly kind: 'range'
  readonly range: ProofRange
}

/** A proof of either kind. */
export type Proof = KeyProof | RangeProof

/** The longest salt a proof may carry (the same bound as file headers). */
export const MAX_PROOF_SALT_LENGTH = 32

/** The largest limit a range proof can state; larger limits are stated as no limit. */
export const MAX_PROOF_LIMIT = 0xffffffff
