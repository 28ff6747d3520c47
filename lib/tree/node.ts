/**
 * A node of the persistent Merkle treap. Nodes are immutable once published,
 * except for their hash cache, filled lazily (docs/MERKLE.md): the node hash
 * and the value hash, each held in the node itself as eleven small integers
 * (digest.ts). Hashing a node reads its children's hashes; kept inline they
 * cost no memory access beyond the child node, where a separate array per
 * node cost two (its object and its bytes), and a loaded or freshly hashed
 * tree makes no garbage for the collector to copy.
 *
 * `dirty` means the node hash is not computed yet. A dirty node may still
 * have its value hash (`valueHashed`: it was copied from a node with the same
 * value, only its children changed); a node with a new value has neither.
 *
 * Edits: while a batch is applied (`inEdit`), nodes created by it carry the
 * batch's edit number and are changed in place instead of copied again: no
 * published version can reach them yet. This removes most of the garbage a
 * batch of path copies would make (the upper levels are shared by its writes).
 * An owner that knows no version escaped since its last edit may pass the same
 * edit number again (the engine does so until a reader captures the tree).
 */

import { copyValueHash } from './digest'

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
  // cache line; the flags, priority and size after, then the two digests.
  readonly key: Uint8Array
  /** The key's leading 30 bits (bytes.ts keyPrefix): most comparisons end there. */
  readonly kp: number
  left: TreeNode | null
  right: TreeNode | null
  value: Uint8Array
  /** The node hash (h0..h10) is not computed yet. */
  dirty: boolean
  /** The value hash (v0..v10) is computed. */
  valueHashed: boolean
  /** Leading 30 bits of the key's priority digest (priority.ts). */
  readonly prio: number
  /** Entries in this subtree. */
  size: number
  /** The edit that created this node (0: none); see the file header. */
  readonly edit: number
  h0 = 0
  h1 = 0
  h2 = 0
  h3 = 0
  h4 = 0
  h5 = 0
  h6 = 0
  h7 = 0
  h8 = 0
  h9 = 0
  h10 = 0
  v0 = 0
  v1 = 0
  v2 = 0
  v3 = 0
  v4 = 0
  v5 = 0
  v6 = 0
  v7 = 0
  v8 = 0
  v9 = 0
  v10 = 0

  constructor (key: Uint8Array, kp: number, value: Uint8Array, prio: number, left: TreeNode | null, right: TreeNode | null) {
    this.key = key
    this.kp = kp
    this.left = left
    this.right = right
    this.value = value
    this.dirty = true
    this.valueHashed = false
    this.prio = prio
    this.size = 1 + (left === null ? 0 : left.size) + (right === null ? 0 : right.size)
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
  const copy = new TreeNode(node.key, node.kp, node.value, node.prio, left, right)
  if (node.valueHashed) copyValueHash(node, copy)
  return copy
}

/** A copy of `node` with another value: both hashes to recompute. */
export function withValue (node: TreeNode, value: Uint8Array): TreeNode {
  if (node.edit !== 0 && node.edit === activeEdit) {
    node.value = value
    node.valueHashed = false
    node.dirty = true
    return node
  }
  return new TreeNode(node.key, node.kp, value, node.prio, node.left, node.right)
}
