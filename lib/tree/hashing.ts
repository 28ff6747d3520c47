/**
 * Lazy hashing of the treap. Writes only mark the copied path dirty; hashes
 * are computed here, when a root is asked for, bottom-up over dirty nodes
 * only, so a batch of writes shares the work on common ancestors.
 *
 * The walk uses an explicit stack (no recursion limit on deep trees) and the
 * dirty flag as its "visited" mark. The asynchronous form yields to the event
 * loop every few thousand nodes, so that hashing a whole large tree (after a
 * bulk load, before a checkpoint) never stalls concurrent writers for long.
 */
import { writeU64BE } from '../bytes'
import { DIGEST_LENGTH, Tag, nodeDigestOfPreimage, nodePreimage, taggedHash2, valueDigest } from '../hash'
import { hashesOf, nodeHashBytes, storeNodeHash, storeValueHash, takeLeftHash, takeRightHash, writeLeftHash, writeRightHash, writeValueHash } from './digest'
import { Pacer } from '../turn'
import type { TreeNode } from './node'
import type { TreeParams } from './params'

const EMPTY = new Uint8Array(DIGEST_LENGTH)
const ROOT_DOMAIN = new TextEncoder().encode('merkle-level/v1')

/**
 * Computes the node hash of `node`, whose changed children are clean, and its
 * value hash if it has none. Written into the node's own digests object (made
 * now if it shares its original's): every version that reaches this node
 * reaches this same object and needs the new hash.
 */
export function hashOne (node: TreeNode): void {
  if (!node.valueHashed) storeValueHash(node, valueDigest(node.value))
  const x = hashesOf(node)
  if (!node.leftKnown) takeLeftHash(node, x)
  if (!node.rightKnown) takeRightHash(node, x)
  writeLeftHash(x, nodePreimage, 1)
  writeRightHash(x, nodePreimage, 33)
  writeValueHash(x, nodePreimage, 65)
  storeNodeHash(x, nodeDigestOfPreimage(node.key))
  node.dirty = false
}

/** Hashes every dirty node under `root` and returns the root node's hash. */
export function hashSubtree (root: TreeNode | null): Uint8Array {
  if (root === null) return EMPTY
  const stack: TreeNode[] = [root]
  while (stack.length > 0) step(stack)
  return nodeHashBytes(root)
}

/**
 * Like {@link hashSubtree}, giving the event loop a turn after every slice of
 * work (lib/turn.ts), so that a large tree is hashed while writers go on.
 */
export async function hashSubtreeAsync (root: TreeNode | null, pacer = new Pacer()): Promise<Uint8Array> {
  if (root === null) return EMPTY
  const stack: TreeNode[] = [root]
  let done = 0
  while (stack.length > 0) {
    // The clock is read every 64 nodes only: a node hash takes about a microsecond.
    if (step(stack) && (++done & 63) === 0 && pacer.due) await pacer.turn()
  }
  return nodeHashBytes(root)
}

// One step of the post-order walk; true when it hashed a node. A child is visited only when
// the node's copy of its hash is stale; an unchanged child is not touched at all.
function step (stack: TreeNode[]): boolean {
  const node = stack[stack.length - 1]
  if (!node.dirty) {
    stack.pop()
    return false
  }
  if (!node.leftKnown && node.left !== null && node.left.dirty) {
    stack.push(node.left)
    return false
  }
  if (!node.rightKnown && node.right !== null && node.right.dirty) {
    stack.push(node.right)
    return false
  }
  stack.pop()
  hashOne(node)
  return true
}

/**
 * The published root: SHA-256(0x04 ‖ "merkle-level/v1" ‖ u8 saltLength ‖ salt ‖
 * u64be count ‖ top), where top is the root node's hash.
 */
export function rootDigest (top: Uint8Array, count: number, params: TreeParams): Uint8Array {
  const frame = new Uint8Array(ROOT_DOMAIN.length + 1 + params.salt.length + 8)
  frame.set(ROOT_DOMAIN, 0)
  frame[ROOT_DOMAIN.length] = params.salt.length
  frame.set(params.salt, ROOT_DOMAIN.length + 1)
  writeU64BE(frame, ROOT_DOMAIN.length + 1 + params.salt.length, count)
  return taggedHash2(Tag.root, frame, top)
}
