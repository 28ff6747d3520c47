/**
 * Builds the treap from entries in strictly ascending key order in O(n), the
 * way a Cartesian tree is built: keep the right spine on a stack, pop while
 * the new entry's priority is higher, hang the popped chain as its left child.
 * Used to load snapshots; it gives exactly the tree that inserting the same
 * entries one by one in any order would give.
 */
import { keyPrefix } from '../bytes'
import { storeValueHashBytes } from './digest'
import { hashOne } from './hashing'
import { newNode } from './node'
import type { TreeNode } from './node'
import { isHigher, priorityOf } from './priority'
import type { TreeParams } from './params'

/** Incrementally builds a tree from ascending entries. */
export class TreeBuilder {
  #spine: TreeNode[] = []
  #count = 0

  constructor (private readonly params: TreeParams) {}

  /**
   * Appends an entry; its key must be greater than the previous one's (the
   * caller checks). `prio`, and the value hash (32 bytes of `valueHashes` at
   * `offset`), may be given when they were computed elsewhere (in parallel);
   * they must be exactly what the tree would compute, which the caller's root
   * check confirms. With the value hash given, a node's hash is computed as
   * soon as its subtree is complete, so that a loaded tree needs no second
   * pass to be hashed.
   */
  add (key: Uint8Array, value: Uint8Array, prio = priorityOf(key, this.params), valueHashes: Uint8Array | null = null, offset = 0): void {
    const node = newNode(key, keyPrefix(key), value, prio, null, null, 1)
    if (valueHashes !== null) storeValueHashBytes(node, valueHashes, offset)
    const spine = this.#spine
    let last: TreeNode | null = null
    while (spine.length > 0 && isHigher(key, prio, spine[spine.length - 1].key, spine[spine.length - 1].prio, this.params)) {
      last = spine.pop() as TreeNode
      finalize(last)
    }
    // Linked in place: the nodes are not published yet. A node is hashed when it is finalized,
    // after its children.
    node.left = last
    if (spine.length > 0) spine[spine.length - 1].right = node
    spine.push(node)
    this.#count++
  }

  /** Number of entries added. */
  get count (): number {
    return this.#count
  }

  /** Finishes the tree: fixes subtree sizes and returns the root. */
  finish (): TreeNode | null {
    const spine = this.#spine
    const root = spine.length === 0 ? null : spine[0]
    // Popping the spine from the top finalizes each node after both its children.
    while (spine.length > 0) finalize(spine.pop() as TreeNode)
    return root
  }
}

// A node leaves the spine only after both its children are final: its size is now known, and
// when its value hash was given and its children are hashed, so is its node hash.
function finalize (node: TreeNode): void {
  const { left, right } = node
  node.size = 1 + (left === null ? 0 : left.size) + (right === null ? 0 : right.size)
  if (!node.valueHashed || (left !== null && left.dirty) || (right !== null && right.dirty)) return
  hashOne(node)
}
