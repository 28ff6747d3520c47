/**
 * The change proof verifier (docs/MERKLE.md, "Change proofs"). Pure like
 * verify-proof.ts: given a SHA-256 function, it touches nothing else.
 *
 *  1. Rebuild R1's partial tree from the nodes in pre-order, checking every
 *     opened node against the interval and priority its ancestors allow
 *     (only the canonical treap passes), and the count against the nodes.
 *  2. Hash it: R1 from the salt, the count and the top.
 *  3. Apply the operations to it (change-apply.ts). An operation that needs
 *     a pruned node is refused: the proof omitted it. An opened node that no
 *     operation read is refused: the proof opened more than it must. So only
 *     the canonical proof of a change passes.
 *  4. Hash the result: R2 from the salt, the new count and the new top.
 *  5. Compare R1, then R2, with the trusted roots, last: a proof that is well
 *     formed but for other states is reported as such.
 */
import { bytesEqual } from '../bytes'
import { invalidProof, levelError } from '../errors'
import { hashingOf, rootWith } from './hash-formulas'
import type { Hashing, Sha256 } from './hash-formulas'
import { applyChange, partialHash } from './change-apply'
import type { OpenedNode, PartialTree } from './change-apply'
import { decodeChangeProof, encodeChangeProof } from './change-codec'
import type { ChangeOp, ChangeProof } from './change-proof'
import { placedPriority, reencoded, rootBytes } from './verify-proof'
import type { Position } from './verify-proof'

/** A change proof as bytes or as a decoded object. */
export type ChangeProofInput = ChangeProof | Uint8Array

/** The two trusted roots of a change: the state before and the state after. */
export interface ChangeRoots {
  from: Uint8Array | string
  to: Uint8Array | string
}

/** What a change proof proves: applying `ops`, in order, to the state `from` gives the state `to`. */
export interface ChangeProofResult {
  /** The operations, as the proof states them, in order. */
  ops: ChangeOp[]
  salt: Uint8Array
  /** Entries in the state before. */
  countBefore: number
  /** Entries in the state after. */
  countAfter: number
}

/** Verifies a change proof against the roots before and after; returns the operations it proves. */
export function verifyChangeProofWith (hasher: Sha256 | Hashing, input: ChangeProofInput, roots: ChangeRoots): ChangeProofResult {
  if (roots === null || typeof roots !== 'object') throw levelError('The roots are an object { from, to }', 'LEVEL_INVALID_VALUE')
  const from = rootBytes(roots.from)
  const to = rootBytes(roots.to)
  const proof = normalize(input)

  // 1-2. R1's partial tree and its root.
  const hashing = hashingOf(hasher)
  const { top, opened } = rebuild(hashing, proof)
  if (opened.length > proof.count) throw invalidProof('More nodes than the count of entries')
  if ((proof.count === 0) !== (top === null)) throw invalidProof('Count and emptiness disagree')
  const before = rootWith(hashing.sha256, proof.salt, proof.count, partialHash(hashing, top))

  // 3. The operations, on exactly the nodes they read.
  const applied = applyChange(hashing, proof.salt, top, proof.ops, () => {
    throw invalidProof('An operation needs a node the proof omitted')
  })
  if (opened.some(node => !node.read)) throw invalidProof('A node opened that the operations do not read')
  const countAfter = proof.count + applied.inserted - applied.deleted
  if (!Number.isSafeInteger(countAfter)) throw invalidProof('Count after the change above 2^53 - 1')

  // 4-5. R2, and both roots.
  const after = rootWith(hashing.sha256, proof.salt, countAfter, partialHash(hashing, applied.top))
  if (!bytesEqual(before, from)) throw levelError('The proof starts from another root', 'LEVEL_PROOF_ROOT_MISMATCH')
  if (!bytesEqual(after, to)) throw levelError('The change leads to another root', 'LEVEL_PROOF_ROOT_MISMATCH')
  return { ops: proof.ops.slice(), salt: proof.salt, countBefore: proof.count, countAfter }
}

function normalize (input: ChangeProofInput): ChangeProof {
  return reencoded(input, encodeChangeProof, decodeChangeProof, 'a change proof object')
}

interface Slot extends Position {
  holder: { left: PartialTree, right: PartialTree }
  side: 'left' | 'right'
}

// The partial tree of the nodes in pre-order, each opened node inside its interval and below its parent's priority.
function rebuild (hashing: Hashing, proof: ChangeProof): { top: PartialTree, opened: OpenedNode[] } {
  const root = { left: null as PartialTree, right: null as PartialTree }
  const opened: OpenedNode[] = []
  const slots: Slot[] = [{ holder: root, side: 'left', low: null, high: null, parentPriority: null }]
  for (const node of proof.nodes) {
    const slot = slots.pop()
    if (slot === undefined) throw invalidProof('Nodes after the tree is complete')
    if (node.type === 'empty') continue
    if (node.type === 'pruned') {
      slot.holder[slot.side] = { kind: 'pruned', hash: node.hash, source: null }
      continue
    }
    const key = node.key
    const priority = placedPriority(hashing, proof.salt, key, slot)
    const opening: OpenedNode = { kind: 'opened', key, priority, valueHash: node.valueHash, left: null, right: null, read: false }
    slot.holder[slot.side] = opening
    opened.push(opening)
    slots.push({ holder: opening, side: 'right', low: key, high: slot.high, parentPriority: priority })
    slots.push({ holder: opening, side: 'left', low: slot.low, high: key, parentPriority: priority })
  }
  if (slots.length !== 0) throw invalidProof('The tree is incomplete')
  return { top: root.left, opened }
}
