/**
 * Applying a change to a partial tree: the one algorithm that decides which
 * nodes of R1 a change proof opens, shared by the prover and the verifier so
 * that both agree on it node for node (docs/MERKLE.md, "Change proofs").
 *
 * A partial tree holds opened nodes (key, priority, value hash, children),
 * pruned subtrees (only a hash) and empty subtrees. The operations are first
 * reduced to their net effect, the last operation on each key, and applied
 * in ascending key order with the textbook treap insert, split, delete and
 * merge. Whenever one of them needs a node's key or priority it *reads* the
 * node: an opened node is marked read, a pruned one is handed to `open`. The
 * prover's `open` fetches the node from the database's tree (and so learns
 * which nodes to open); the verifier's refuses, because the proof omitted a
 * node the operations need. A canonical proof opens exactly the nodes read.
 *
 *   put k:  descend k's search path until k (update its value hash), an empty
 *           subtree (insert there), or a node of lower priority than k's
 *           (split that subtree by k, reading the rest of k's search path,
 *           and put k above the two parts).
 *   del k:  descend k's search path until k (replace it by the merge of its
 *           children), an empty subtree, or a node of lower priority than k's
 *           (k is absent: it would sit above that node).
 *   merge:  while both sides are non-empty, read both tops; the one of higher
 *           priority stays on top. A side that becomes empty ends the merge and
 *           the other side is attached unread.
 *
 * Everything is iterative (slots to fill instead of recursion), so a deep
 * hostile proof costs time, never the call stack; the partial tree is changed
 * in place.
 */
import { compareBytes } from '../bytes'
import { EMPTY_HASH, hashingOf } from './hash-formulas'
import type { Hashing, Sha256 } from './hash-formulas'
import type { ChangeOp } from './change-proof'

/** A node of the partial tree whose key and value hash are known. */
export interface OpenedNode {
  readonly kind: 'opened'
  readonly key: Uint8Array
  /** The full 32-byte priority of the key, compared as a big-endian integer. */
  readonly priority: Uint8Array
  valueHash: Uint8Array
  left: PartialTree
  right: PartialTree
  /** Whether applying the change read this node. */
  read: boolean
}

/** A subtree known only by its hash; `source` is the prover's handle to open it (the verifier's is null). */
export interface PrunedTree {
  readonly kind: 'pruned'
  readonly hash: Uint8Array
  readonly source: unknown
}

/** A subtree of a partial tree; null is empty. */
export type PartialTree = OpenedNode | PrunedTree | null

/** Opens a pruned subtree the operations need, or throws. */
export type OpenPruned = (pruned: PrunedTree) => OpenedNode

/** What applying a change did: the new top, and how many keys it inserted and deleted. */
export interface AppliedChange {
  top: PartialTree
  inserted: number
  deleted: number
}

interface Slots { left: PartialTree, right: PartialTree }
type Side = 'left' | 'right'

/** The net effect of `ops`: the last operation on each key, in ascending key order. */
export function netChanges (ops: readonly ChangeOp[]): ChangeOp[] {
  const order = ops.map((op, i) => i)
  order.sort((a, b) => compareBytes(ops[a].key, ops[b].key) || a - b)
  const net: ChangeOp[] = []
  for (let j = 0; j < order.length; j++) {
    const next = order[j + 1]
    if (next === undefined || compareBytes(ops[order[j]].key, ops[next].key) !== 0) net.push(ops[order[j]])
  }
  return net
}

/** Applies the net effect of `ops` to the partial tree `top` in place (see the file header). */
export function applyChange (hasher: Sha256 | Hashing, salt: Uint8Array, top: PartialTree, ops: readonly ChangeOp[], open: OpenPruned): AppliedChange {
  const hashing = hashingOf(hasher)
  const holder: Slots = { left: top, right: null }
  let inserted = 0
  let deleted = 0
  for (const op of netChanges(ops)) {
    const priority = hashing.priority(salt, op.key)
    if (op.type === 'put') {
      if (put(holder, op.key, hashing.valueHash(op.value), priority, open)) inserted++
    } else if (del(holder, op.key, priority, open)) {
      deleted++
    }
  }
  return { top: holder.left, inserted, deleted }
}

function read (tree: PartialTree, open: OpenPruned): OpenedNode | null {
  if (tree === null) return null
  const node = tree.kind === 'pruned' ? open(tree) : tree
  node.read = true
  return node
}

// Returns true when the key was inserted, false when an existing one was updated.
function put (root: Slots, key: Uint8Array, valueHash: Uint8Array, priority: Uint8Array, open: OpenPruned): boolean {
  let slots = root
  let side: Side = 'left'
  for (;;) {
    const node = read(slots[side], open)
    slots[side] = node
    if (node === null) {
      slots[side] = { kind: 'opened', key, priority, valueHash, left: null, right: null, read: true }
      return true
    }
    const c = compareBytes(key, node.key)
    if (c === 0) {
      node.valueHash = valueHash
      return false
    }
    if (compareBytes(priority, node.priority) > 0) {
      const fresh: OpenedNode = { kind: 'opened', key, priority, valueHash, left: null, right: null, read: true }
      split(node, key, fresh, open)
      slots[side] = fresh
      return true
    }
    slots = node
    side = c < 0 ? 'left' : 'right'
  }
}

// Splits the subtree whose top is `node` by `key` into `into.left` (keys below) and `into.right` (above).
function split (node: OpenedNode, key: Uint8Array, into: Slots, open: OpenPruned): void {
  let low: Slots = into
  let lowSide: Side = 'left'
  let high: Slots = into
  let highSide: Side = 'right'
  let at: OpenedNode | null = node
  while (at !== null) {
    if (compareBytes(at.key, key) < 0) {
      low[lowSide] = at
      low = at
      lowSide = 'right'
      at = read(at.right, open)
    } else {
      high[highSide] = at
      high = at
      highSide = 'left'
      at = read(at.left, open)
    }
  }
  low[lowSide] = null
  high[highSide] = null
}

// Returns true when the key was present and is now deleted.
function del (root: Slots, key: Uint8Array, priority: Uint8Array, open: OpenPruned): boolean {
  let slots = root
  let side: Side = 'left'
  for (;;) {
    const node = read(slots[side], open)
    slots[side] = node
    if (node === null) return false
    const c = compareBytes(key, node.key)
    if (c === 0) {
      merge(node.left, node.right, slots, side, open)
      return true
    }
    if (compareBytes(priority, node.priority) > 0) return false
    slots = node
    side = c < 0 ? 'left' : 'right'
  }
}

// Joins `a` and `b` (every key of `a` below every key of `b`) into `slots[side]`.
function merge (a: PartialTree, b: PartialTree, slots: Slots, side: Side, open: OpenPruned): void {
  for (;;) {
    if (a === null || b === null) {
      slots[side] = a ?? b
      return
    }
    const x = read(a, open) as OpenedNode
    const y = read(b, open) as OpenedNode
    if (compareBytes(x.priority, y.priority) > 0) {
      slots[side] = x
      slots = x
      side = 'right'
      a = x.right
      b = y
    } else {
      slots[side] = y
      slots = y
      side = 'left'
      a = x
      b = y.left
    }
  }
}

/** The hash of a partial tree (EMPTY_HASH when empty), bottom-up without recursion. */
export function partialHash (hasher: Sha256 | Hashing, top: PartialTree): Uint8Array {
  const hashing = hashingOf(hasher)
  // Pre-order, then in reverse: a node finds its left, then its right hash on the stack.
  const order: OpenedNode[] = []
  const kinds: Array<Uint8Array | null> = []
  const pending: PartialTree[] = [top]
  while (pending.length > 0) {
    const tree = pending.pop() as PartialTree
    if (tree === null || tree.kind === 'pruned') {
      kinds.push(tree === null ? EMPTY_HASH : tree.hash)
      continue
    }
    kinds.push(null)
    order.push(tree)
    pending.push(tree.right, tree.left)
  }
  const hashes: Uint8Array[] = []
  let opened = order.length
  for (let i = kinds.length - 1; i >= 0; i--) {
    const known = kinds[i]
    if (known !== null) {
      hashes.push(known)
      continue
    }
    const node = order[--opened]
    const left = hashes.pop() as Uint8Array
    const right = hashes.pop() as Uint8Array
    hashes.push(hashing.nodeHash(left, right, node.valueHash, node.key))
  }
  return hashes[0]
}
