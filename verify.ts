/**
 * merkle-level/verify: the standalone proof verifier. It imports only pure
 * code and a pure-JavaScript SHA-256, never node:fs, node:crypto or
 * abstract-level, so it runs in a browser or any JavaScript runtime.
 *
 *     import { verifyProof } from 'merkle-level/verify'
 *     const fact = verifyProof(root, proofBytes) // throws unless the proof holds for root
 *
 * docs/MERKLE.md specifies the construction, the proof format and the checks.
 */
import { sha256 } from '@noble/hashes/sha2'
import { computeRootWith } from './lib/tree/recompute'
import type { SortedEntry } from './lib/tree/recompute'
import { verifyKeyProofWith, verifyRangeProofWith } from './lib/tree/verify-proof'
import type { KeyProofResult, ProofInput, RangeProofResult } from './lib/tree/verify-proof'
import { verifyChangeProofWith } from './lib/tree/verify-change'
import type { ChangeProofInput, ChangeProofResult, ChangeRoots } from './lib/tree/verify-change'

export { encodeProof, decodeProof } from './lib/tree/proof-codec'
export { proofToJson, proofFromJson } from './lib/tree/proof-json'
export { PROOF_VERSION } from './lib/tree/proof'
export type { Proof, KeyProof, RangeProof, ProofNode, ProofRange } from './lib/tree/proof'
export type { ProofJson, ProofNodeJson, ProofRangeJson } from './lib/tree/proof-json'
export type { KeyProofResult, RangeProofResult, ProvenEntry, CoveredRange, ProofInput } from './lib/tree/verify-proof'
export type { SortedEntry } from './lib/tree/recompute'
export { encodeChangeProof, decodeChangeProof } from './lib/tree/change-codec'
export { changeProofToJson, changeProofFromJson } from './lib/tree/change-json'
export type { ChangeProof, ChangeOp, ChangePut, ChangeDel, ChangeProofNode } from './lib/tree/change-proof'
export type { ChangeProofJson, ChangeOpJson, ChangeProofNodeJson } from './lib/tree/change-json'
export type { ChangeProofResult, ChangeProofInput, ChangeRoots } from './lib/tree/verify-change'

const hash = (bytes: Uint8Array): Uint8Array => sha256(bytes)

/**
 * Verifies a key proof (bytes or object) against `root` (32 bytes, or 64 hex
 * digits of either case). Returns the key and its value, or its absence; throws
 * LEVEL_INVALID_PROOF or LEVEL_PROOF_ROOT_MISMATCH.
 */
export function verifyProof (root: Uint8Array | string, proof: ProofInput): KeyProofResult {
  return verifyKeyProofWith(hash, root, proof)
}

/**
 * Verifies a range proof against `root`. Returns every entry of the range
 * that the proof covers, in the query's direction, and the bounds covered;
 * throws LEVEL_INVALID_PROOF or LEVEL_PROOF_ROOT_MISMATCH.
 */
export function verifyRangeProof (root: Uint8Array | string, proof: ProofInput): RangeProofResult {
  return verifyRangeProofWith(hash, root, proof)
}

/**
 * Verifies a change proof (bytes or object): that applying its operations, in
 * order, to the state with root `roots.from` gives the state with root
 * `roots.to` (each 32 bytes, or 64 hex digits of either case). Returns the
 * operations; throws LEVEL_INVALID_PROOF or LEVEL_PROOF_ROOT_MISMATCH.
 */
export function verifyChangeProof (proof: ChangeProofInput, roots: ChangeRoots): ChangeProofResult {
  return verifyChangeProofWith(hash, proof, roots)
}

/**
 * The root of a database holding exactly `entries`, each a `{ key, value }`
 * of two Uint8Arrays (Buffers are), keys strictly ascending, computed from
 * scratch: how a third party checks a plain dump. `salt` is the database's
 * public salt (empty unless it was created with one; at most 32 bytes).
 * Throws LEVEL_INVALID_VALUE for any other input.
 */
export function computeRoot (entries: Iterable<SortedEntry>, salt: Uint8Array = new Uint8Array(0)): Uint8Array {
  return computeRootWith(hash, entries, salt)
}
