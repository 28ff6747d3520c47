/**
 * Questions a replica asks of its own tree while it compares it with a
 * server's (lib/replica/descent.ts), each a descent of O(depth): which of
 * its subtrees holds the keys of an open interval, the keys it holds in an
 * interval, and the smallest and largest keys of a subtree. An interval is
 * open on both sides; a null bound is unbounded.
 */
import { compareBytes } from '../bytes'
import { resolve } from './node'
import type { TreeNode } from './node'

/** An open key interval (low, high); null: unbounded on that side. */
export interface OpenInterval {
  readonly low: Uint8Array | null
  readonly high: Uint8Array | null
}

/** True when `key` lies strictly inside `interval`. */
export function within (interval: OpenInterval, key: Uint8Array): boolean {
  return (interval.low === null || compareBytes(key, interval.low) > 0) && (interval.high === null || compareBytes(key, interval.high) < 0)
}

/**
 * The highest node below `top` whose key lies in `interval`, or null when no
 * key does. Its subtree holds every key of the tree in the interval (and
 * possibly others: the caller checks its extremes).
 */
export function topWithin (top: TreeNode | null, interval: OpenInterval): TreeNode | null {
  let node = top
  while (node !== null) {
    const n = resolve(node)
    if (interval.low !== null && compareBytes(n.key, interval.low) <= 0) node = n.right
    else if (interval.high !== null && compareBytes(n.key, interval.high) >= 0) node = n.left
    else return n
  }
  return null
}

/** The keys below `top` that lie in `interval`, in ascending order. */
export function keysWithin (top: TreeNode | null, interval: OpenInterval, out: Uint8Array[] = []): Uint8Array[] {
  const node = topWithin(top, interval)
  if (node === null) return out
  // Below the highest node inside, the left part is bounded by its key, the right part likewise.
  keysWithin(node.left, { low: interval.low, high: node.key }, out)
  out.push(node.key)
  keysWithin(node.right, { low: node.key, high: interval.high }, out)
  return out
}

/** The smallest and largest keys of the subtree `node`. */
export function extremes (node: TreeNode): { min: Uint8Array, max: Uint8Array } {
  let low = resolve(node)
  while (low.left !== null) low = resolve(low.left)
  let high = resolve(node)
  while (high.right !== null) high = resolve(high.right)
  return { min: low.key, max: high.key }
}
