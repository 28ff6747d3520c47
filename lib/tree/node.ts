/**
 * A node of the persistent Merkle treap. Nodes are immutable once published,
 * except for their hash cache: `digest` holds the value hash in bytes 0..31
 * and the node hash in bytes 32..63, and is filled lazily (docs/MERKLE.md).
 *
 * `dirty` means the node hash is not computed yet. A dirty node whose
 * `digest` is set still has a valid value hash (it was copied from a node with
 * the same value, only its children changed); a node with a new value has no
 * digest at all.
 *
 * Edits: while a batch is applied (`inEdit`), nodes created by it carry the
 * batch's edit number and are changed in place instead of copied again: no
 * published version can reach them yet. This removes most of the garbage a
 * batch of path copies would make (the upper levels are shared by its writes).
 * An owner that knows no version escaped since its last edit may pass the same
 * edit number again (the engine does so until a reader captures the tree).
 */

let activeEdit = 0
let lastEdit = 0

/** A fresh edit number, for a caller that keeps one edit open across calls of {@link inEdit}. */
export function newEdit (): number {
  return ++lastEdit
}

/**
 * Runs `apply` as edit `edit` (a fresh one by default): nodes it creates may be
 * reused in place until it returns, and by later calls with the same number.
 */
export function inEdit<T> (apply: () => T, edit = 0): T {
  if (activeEdit !== 0) return apply()
  activeEdit = edit === 0 ? newEdit() : edit
  try {
    return apply()
  } finally {
    activeEdit = 0
  }
}

/** A node of the treap; see the file header for the hash cache. */
export class TreeNode {
  // Fields are declared in the order V8 lays them out: what a descent and an in-order walk
  // read (the key, its prefix, the children, the value) come first, in the node's first
  // cache line; the priority, size and hash cache after.
  readonly key: Uint8Array
  /** The key's leading 30 bits (bytes.ts keyPrefix): most comparisons end there. */
  readonly kp: number
  left: TreeNode | null
  right: TreeNode | null
  value: Uint8Array
  /** Leading 30 bits of the key's priority digest (priority.ts). */
  readonly prio: number
  /** Entries in this subtree. */
  size: number
  digest: Uint8Array | null
  /**
   * True when `digest` was made for this node alone (by hashing it, or by the
   * builder): rehashing may then write into it. A copy shares the digest of
   * the node it was copied from, which an older version still reads.
   */
  ownsDigest: boolean
  dirty: boolean
  /** The edit that created this node (0: none); see the file header. */
  readonly edit: number

  constructor (
    key: Uint8Array, kp: number, value: Uint8Array, prio: number,
    left: TreeNode | null, right: TreeNode | null, digest: Uint8Array | null, dirty: boolean
  ) {
    this.key = key
    this.kp = kp
    this.left = left
    this.right = right
    this.value = value
    this.prio = prio
    this.size = 1 + (left === null ? 0 : left.size) + (right === null ? 0 : right.size)
    this.digest = digest
    this.ownsDigest = false
    this.dirty = dirty
    this.edit = activeEdit
  }
}

/** Number of entries under `node`. */
export function sizeOf (node: TreeNode | null): number {
  return node === null ? 0 : node.size
}

/** A copy of `node` with other children: same entry, node hash to recompute, value hash kept. */
export function withChildren (node: TreeNode, left: TreeNode | null, right: TreeNode | null): TreeNode {
  if (node.edit !== 0 && node.edit === activeEdit) {
    // Even with the same children: a child of this edit may have changed in place (its size).
    node.left = left
    node.right = right
    node.size = 1 + (left === null ? 0 : left.size) + (right === null ? 0 : right.size)
    node.dirty = true
    return node
  }
  if (left === node.left && right === node.right) return node
  return new TreeNode(node.key, node.kp, node.value, node.prio, left, right, node.digest, true)
}

/** A copy of `node` with another value: both hashes to recompute. */
export function withValue (node: TreeNode, value: Uint8Array): TreeNode {
  if (node.edit !== 0 && node.edit === activeEdit) {
    node.value = value
    node.digest = null
    node.ownsDigest = false
    node.dirty = true
    return node
  }
  return new TreeNode(node.key, node.kp, value, node.prio, node.left, node.right, null, true)
}
