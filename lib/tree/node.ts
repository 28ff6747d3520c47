/**
 * A node of the persistent Merkle treap. Nodes are immutable once published,
 * except for their hash cache: `digest` holds the value hash in bytes 0..31
 * and the node hash in bytes 32..63, and is filled lazily (docs/MERKLE.md).
 *
 * `dirty` means the node hash is not computed yet. A dirty node whose
 * `digest` is set still has a valid value hash (it was copied from a node with
 * the same value, only its children changed); a node with a new value has no
 * digest at all.
 */

/** A node of the treap; see the file header for the hash cache. */
export class TreeNode {
  /** Entries in this subtree. */
  size: number

  constructor (
    readonly key: Uint8Array,
    readonly value: Uint8Array,
    /** Leading 48 bits of the key's priority digest. */
    readonly prio: number,
    public left: TreeNode | null,
    public right: TreeNode | null,
    public digest: Uint8Array | null,
    public dirty: boolean
  ) {
    this.size = 1 + (left === null ? 0 : left.size) + (right === null ? 0 : right.size)
  }
}

/** Number of entries under `node`. */
export function sizeOf (node: TreeNode | null): number {
  return node === null ? 0 : node.size
}

/** A copy of `node` with other children: same entry, node hash to recompute, value hash kept. */
export function withChildren (node: TreeNode, left: TreeNode | null, right: TreeNode | null): TreeNode {
  if (left === node.left && right === node.right) return node
  return new TreeNode(node.key, node.value, node.prio, left, right, node.digest, true)
}

/** A copy of `node` with another value: both hashes to recompute. */
export function withValue (node: TreeNode, value: Uint8Array): TreeNode {
  return new TreeNode(node.key, value, node.prio, node.left, node.right, null, true)
}
