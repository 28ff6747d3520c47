/**
 * Builds proofs from a tree version: walks down from the top, opening every
 * subtree whose key interval meets the cover and pruning the rest to their
 * hashes (proof-range.ts has the rule). The walk is iterative, so a path made
 * deep by chosen keys costs time, never the call stack.
 *
 * The tree must be hashed first (`tree.root()` or `await tree.rootAsync()`):
 * pruned subtrees and path nodes are read from the hash cache.
 */
import { nodeHashBytes, valueHashBytes } from './cached-digests'
import { resolve } from './node'
import type { TreeNode } from './node'
import { MAX_PROOF_LIMIT } from './proof'
import type { KeyProof, ProofNode, ProofRange, RangeProof } from './proof'
import { covers, disjoint, keyCover, limitedCover, rangeCover } from './proof-range'
import type { Cover } from './proof-range'
import type { Tree } from './tree'
import type { KeyRange } from './treap'

/** A range as iterators take it, bounds encoded: limit -1 or absent for none; gte wins over gt, lte over lt. */
export type RangeQuery = KeyRange

/** A proof that `key` holds its value in `tree`, or is absent from it. */
export function proveKey (tree: Tree, key: Uint8Array): KeyProof {
  tree.root()
  return { kind: 'key', salt: tree.params.salt.slice(), count: tree.size, key: key.slice(), nodes: prune(tree.top, keyCover(key)) }
}

/** A proof of every entry of `query` in `tree` (after its limit, in its direction). */
export function proveRange (tree: Tree, query: RangeQuery): RangeProof {
  tree.root()
  const range = normalize(query)
  const cover = rangeCover(range)
  return { kind: 'range', salt: tree.params.salt.slice(), count: tree.size, range, nodes: prune(tree.top, answerCover(tree, range, cover)) }
}

function normalize (query: RangeQuery): ProofRange {
  const range: { -readonly [K in keyof ProofRange]: ProofRange[K] } = { reverse: query.reverse === true }
  if (query.gte !== undefined) range.gte = query.gte.slice()
  else if (query.gt !== undefined) range.gt = query.gt.slice()
  if (query.lte !== undefined) range.lte = query.lte.slice()
  else if (query.lt !== undefined) range.lt = query.lt.slice()
  // A limit beyond what the format states cannot be reached by any database held in memory.
  const limit = query.limit
  if (limit !== undefined && Number.isInteger(limit) && limit >= 0 && limit <= MAX_PROOF_LIMIT) range.limit = limit
  return range
}

// Walks the range in its direction up to the limit, to learn where a reached limit cuts the cover.
function answerCover (tree: Tree, range: ProofRange, cover: Cover): Cover {
  const limit = range.limit
  if (limit === undefined) return cover
  const cursor = tree.cursor(range.reverse)
  const start = range.reverse ? cover.upper : cover.lower
  if (start === undefined) cursor.first()
  else cursor.seek(start.key, start.inclusive)
  let taken = 0
  let firstSeen: Uint8Array | undefined
  let lastSeen: Uint8Array | undefined
  while (taken < limit) {
    const node = cursor.current
    if (node === null || !covers(cover, node.key)) break
    if (firstSeen === undefined) firstSeen = node.key
    lastSeen = node.key
    taken++
    cursor.advance()
  }
  // In key order: reverse walks from the highest key down.
  const [low, high] = range.reverse ? [lastSeen, firstSeen] : [firstSeen, lastSeen]
  return limitedCover(cover, range, taken, low, high)
}

function prune (top: TreeNode | null, cover: Cover): ProofNode[] {
  const nodes: ProofNode[] = []
  const stack: Array<{ node: TreeNode | null, low: Uint8Array | null, high: Uint8Array | null }> = [{ node: top, low: null, high: null }]
  while (stack.length > 0) {
    const { node: at, low, high } = stack.pop() as { node: TreeNode | null, low: Uint8Array | null, high: Uint8Array | null }
    if (at === null) {
      nodes.push({ type: 'empty' })
    } else if (disjoint(cover, low, high)) {
      nodes.push({ type: 'pruned', hash: nodeHashBytes(at) })
    } else {
      const node = resolve(at)
      if (covers(cover, node.key)) nodes.push({ type: 'entry', key: node.key.slice(), value: node.value.slice() })
      else nodes.push({ type: 'path', key: node.key.slice(), valueHash: valueHashBytes(node) })
      // Right pushed first so that the left subtree comes out next: pre-order.
      stack.push({ node: node.right, low: node.key, high })
      stack.push({ node: node.left, low, high: node.key })
    }
  }
  return nodes
}
