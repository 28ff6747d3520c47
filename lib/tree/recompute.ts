/**
 * Recomputes a root from a plain sorted dump, as a third party would
 * (docs/MERKLE.md, "The root from a sorted dump"), with an injected SHA-256
 * and no tree kept in memory: only the right spine of the Cartesian tree
 * built so far, each spine node with the hash of its finished left subtree.
 * A node's subtree is finished when a node of higher priority arrives after
 * it, or at the end; finishing a run of spine nodes hashes it bottom-up.
 */
import { compareBytes } from '../bytes'
import { levelError } from '../errors'
import { EMPTY_HASH, nodeHashWith, priorityWith, rootWith, valueHashWith } from './hash-formulas'
import type { Sha256 } from './hash-formulas'

/** One entry of a dump: a key and its value. */
export interface SortedEntry {
  key: Uint8Array
  value: Uint8Array
}

interface SpineNode {
  key: Uint8Array
  priority: Uint8Array
  valueHash: Uint8Array
  leftHash: Uint8Array
}

/** The root of exactly these entries; throws LEVEL_INVALID_VALUE unless keys strictly ascend. */
export function computeRootWith (sha256: Sha256, entries: Iterable<SortedEntry>, salt: Uint8Array): Uint8Array {
  const spine: SpineNode[] = []
  let previous: Uint8Array | null = null
  let count = 0
  for (const { key, value } of entries) {
    if (previous !== null && compareBytes(previous, key) >= 0) {
      throw levelError('Entries must be in strictly ascending key order', 'LEVEL_INVALID_VALUE')
    }
    previous = key
    count++
    const priority = priorityWith(sha256, salt, key)
    // Spine nodes of lower priority become the new node's left subtree, finished now.
    let below = 0
    while (below < spine.length && compareBytes(spine[spine.length - 1 - below].priority, priority) < 0) below++
    const leftHash = finish(sha256, spine, below)
    spine.push({ key, priority, valueHash: valueHashWith(sha256, value), leftHash })
  }
  return rootWith(sha256, salt, count, finish(sha256, spine, spine.length))
}

// Pops the top `n` spine nodes; each is the right child of the one below it. Returns the hash of the lowest popped.
function finish (sha256: Sha256, spine: SpineNode[], n: number): Uint8Array {
  let hash = EMPTY_HASH
  for (let i = 0; i < n; i++) {
    const node = spine.pop() as SpineNode
    hash = nodeHashWith(sha256, node.leftHash, hash, node.valueHash, node.key)
  }
  return hash
}
