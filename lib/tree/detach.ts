/**
 * After a checkpoint wrote nodes to an image, the current version still
 * reaches them as objects in memory. Replacing each pointer to a written
 * node by a stub of it lets the memory go: the node is read back from the
 * image when next reached (within the cache's budget). Only nodes not
 * written yet are visited, and only their child pointers change, to a stub
 * of the same subtree: no version can tell the difference.
 */
import { nodeHashBytes } from './cached-digests'
import { stubNode } from './node'
import type { TreeNode } from './node'

/** A stub of a node that is in an image file (`src` set). */
export function stubOf (node: TreeNode): TreeNode {
  const hash = nodeHashBytes(node)
  return stubNode(node.src as NonNullable<TreeNode['src']>, node.at, node.len, node.size, { nodeHashes: hash, valueHashes: hash }, 0)
}

/** The top of the same tree with every pointer to a written node replaced by its stub. */
export function detachWritten (top: TreeNode | null): TreeNode | null {
  if (top === null || top.stub) return top
  if (top.src !== null) return stubOf(top)
  const stack: TreeNode[] = [top]
  while (stack.length > 0) {
    const node = stack.pop() as TreeNode
    const { left, right } = node
    if (left !== null && !left.stub) {
      if (left.src !== null) node.left = stubOf(left)
      else stack.push(left)
    }
    if (right !== null && !right.stub) {
      if (right.src !== null) node.right = stubOf(right)
      else stack.push(right)
    }
  }
  return top
}
