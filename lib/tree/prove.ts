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

/** A range proof cut to fit a budget, and where a reader continues after it. */
export interface FittedRangeProof {
  proof: RangeProof
  /** The entries it shows. */
  entries: number
  /** The last entry's key when the proof stops before the range's end (its limit is the entries shown); else null. */
  next: Uint8Array | null
}

/**
 * A proof of the entries of `query` (at most its limit) in `tree`, in one
 * walk: as many as fit in `budget` bytes by `sizeOf`, at least one. Cut short
 * by the budget, the proof states the entries shown as its limit; a range that
 * ends first is stated with the asked limit, which then covers it to its end.
 * Keys and values are the tree's own bytes, not copies: for a proof that is
 * encoded at once and dropped, as the replication endpoint does.
 */
export function proveRangeWithin (tree: Tree, query: RangeQuery, budget: number, sizeOf: (key: Uint8Array, value: Uint8Array) => number): FittedRangeProof {
  tree.root()
  const asked = normalize(query)
  const limit = asked.limit ?? MAX_PROOF_LIMIT
  const whole = rangeCover(asked)
  const walked = walk(tree, asked, whole, limit, budget, sizeOf)
  const range: ProofRange = { ...asked, limit: walked.ended ? limit : walked.taken }
  const cover = limitedCover(whole, range, walked.taken, walked.low, walked.high)
  const proof: RangeProof = { kind: 'range', salt: tree.params.salt.slice(), count: tree.size, range, nodes: prune(tree.top, cover, false) }
  return { proof, entries: walked.taken, next: walked.ended || walked.last === undefined ? null : walked.last }
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
  const { taken, low, high } = walk(tree, range, cover, limit, Infinity, () => 0)
  return limitedCover(cover, range, taken, low, high)
}

/** What a walk of a range found: how many entries, the lowest and highest key, the last in its direction, whether the range ended. */
interface Walked {
  taken: number
  low: Uint8Array | undefined
  high: Uint8Array | undefined
  last: Uint8Array | undefined
  ended: boolean
}

// The entries of `cover` in the range's direction, up to `limit` and, after the first, while their
// sizes by `sizeOf` stay within `budget`.
function walk (tree: Tree, range: ProofRange, cover: Cover, limit: number, budget: number, sizeOf: (key: Uint8Array, value: Uint8Array) => number): Walked {
  const cursor = tree.cursor(range.reverse)
  const start = range.reverse ? cover.upper : cover.lower
  if (start === undefined) cursor.first()
  else cursor.seek(start.key, start.inclusive)
  let taken = 0
  let bytes = 0
  let first: Uint8Array | undefined
  let last: Uint8Array | undefined
  while (taken < limit) {
    const node = cursor.current
    if (node === null || !covers(cover, node.key)) break
    bytes += sizeOf(node.key, node.value)
    if (bytes > budget && taken > 0) break
    first ??= node.key
    last = node.key
    taken++
    cursor.advance()
  }
  const ended = taken < limit && (cursor.current === null || !covers(cover, cursor.current.key))
  // In key order: reverse walks from the highest key down.
  const [low, high] = range.reverse ? [last, first] : [first, last]
  return { taken, low, high, last, ended }
}

// `copy`: whether the proof gets keys and values of its own (a caller may keep it, and change it).
function prune (top: TreeNode | null, cover: Cover, copy = true): ProofNode[] {
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
      const key = copy ? node.key.slice() : node.key
      if (covers(cover, node.key)) nodes.push({ type: 'entry', key, value: copy ? node.value.slice() : node.value })
      else nodes.push({ type: 'path', key, valueHash: valueHashBytes(node) })
      // Right pushed first so that the left subtree comes out next: pre-order.
      stack.push({ node: node.right, low: node.key, high })
      stack.push({ node: node.left, low, high: node.key })
    }
  }
  return nodes
}
