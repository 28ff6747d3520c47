/**
 * A full invariant scan of one tree version: keys strictly ascending in order
 * (the BST property), every parent's priority above its children's (the
 * heap property, priorities recomputed from the keys), subtree sizes, and
 * every cached hash recomputed from scratch. It reports problems instead of
 * throwing, so that an integrity check can list them all.
 */
import { bytesEqual, compareBytes, keyPrefix, toHex as hex } from '../bytes'
import { EMPTY_HASH } from './hash-formulas'
import { nodeHash, valueHash as valueHashOf } from './node-crypto-hashes'
import { nodeHashBytes, valueHashBytes } from './cached-digests'
import { resolveOrNull } from './node'
import type { TreeNode } from './node'
import { isHigher, priorityOf } from './priority'
import type { TreeParams } from './params'

/** What a scan found. */
export interface TreeScan {
  entries: number
  depth: number
  /** Cached hashes compared against a recomputation. */
  hashesChecked: number
  problems: string[]
}

/** Scans the tree under `root` and returns what it found; `problems` is empty for a sound tree. */
export function scanTree (root: TreeNode | null, params: TreeParams): TreeScan {
  const scan: TreeScan = { entries: 0, depth: 0, hashesChecked: 0, problems: [] }
  // Iterative in-order walk that also recomputes hashes bottom-up (post-order via a result map).
  const hashes = new Map<TreeNode, Uint8Array>()
  // Each node's children as resolved (image stubs read), so that the post-order pass finds their hashes.
  const children = new Map<TreeNode, [TreeNode | null, TreeNode | null]>()
  const stack: Array<{ node: TreeNode, depth: number, visited: boolean }> = []
  const top = resolveOrNull(root)
  if (top !== null) stack.push({ node: top, depth: 1, visited: false })
  while (stack.length > 0) {
    const frame = stack.pop() as { node: TreeNode, depth: number, visited: boolean }
    const { node, depth } = frame
    if (!frame.visited) {
      scan.depth = Math.max(scan.depth, depth)
      stack.push({ node, depth, visited: true })
      const right = resolveOrNull(node.right)
      const left = resolveOrNull(node.left)
      if (right !== null) stack.push({ node: right, depth: depth + 1, visited: false })
      if (left !== null) stack.push({ node: left, depth: depth + 1, visited: false })
      children.set(node, [left, right])
      continue
    }
    checkNode(node, children.get(node) ?? [null, null], params, scan, hashes)
  }
  // The walk above is post-order; key order needs an in-order walk.
  let previous: Uint8Array | null = null
  for (const node of inOrder(root)) {
    if (previous !== null && compareBytes(previous, node.key) >= 0) scan.problems.push(`keys out of order at ${hex(node.key)}`)
    previous = node.key
    scan.entries++
  }
  return scan
}

function checkNode (node: TreeNode, [leftChild, rightChild]: [TreeNode | null, TreeNode | null], params: TreeParams, scan: TreeScan, hashes: Map<TreeNode, Uint8Array>): void {
  const prio = priorityOf(node.key, params)
  if (prio !== node.prio) scan.problems.push(`stored priority wrong at ${hex(node.key)}`)
  if (keyPrefix(node.key) !== node.kp) scan.problems.push(`stored key prefix wrong at ${hex(node.key)}`)
  for (const child of [leftChild, rightChild]) {
    if (child !== null && isHigher(child.key, child.prio, node.key, node.prio, params)) {
      scan.problems.push(`heap order violated below ${hex(node.key)}`)
    }
  }
  const size = 1 + (node.left?.size ?? 0) + (node.right?.size ?? 0)
  if (size !== node.size) scan.problems.push(`size wrong at ${hex(node.key)}`)
  const valueHash = valueHashOf(node.value)
  const left = leftChild === null ? EMPTY_HASH : hashes.get(leftChild) as Uint8Array
  const right = rightChild === null ? EMPTY_HASH : hashes.get(rightChild) as Uint8Array
  const hash = nodeHash(left, right, valueHash, node.key)
  hashes.set(node, hash)
  if (node.valueHashed && !bytesEqual(valueHashBytes(node), valueHash)) scan.problems.push(`cached value hash wrong at ${hex(node.key)}`)
  // A node to hash makes every ancestor one to hash too (the top of a clean tree is clean).
  if (!node.dirty && (leftChild?.dirty === true || rightChild?.dirty === true)) scan.problems.push(`clean node above one to hash at ${hex(node.key)}`)
  if (!node.dirty) {
    scan.hashesChecked++
    if (!node.valueHashed || !bytesEqual(nodeHashBytes(node), hash)) scan.problems.push(`cached hash wrong at ${hex(node.key)}`)
  }
}

function * inOrder (root: TreeNode | null): Generator<TreeNode> {
  const stack: TreeNode[] = []
  let node = resolveOrNull(root)
  while (node !== null || stack.length > 0) {
    while (node !== null) {
      stack.push(node)
      node = resolveOrNull(node.left)
    }
    const top = stack.pop() as TreeNode
    yield top
    node = resolveOrNull(top.right)
  }
}
