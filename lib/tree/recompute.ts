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
import { MAX_PROOF_SALT_LENGTH } from './proof'

/** One entry of a dump: a key and its value, as bytes (a Buffer is a Uint8Array). */
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

/**
 * The root of exactly these entries. Throws LEVEL_INVALID_VALUE unless
 * `entries` is iterable, each entry has a Uint8Array `key` and `value`, keys
 * strictly ascend, and `salt` is a Uint8Array of at most 32 bytes.
 */
export function computeRootWith (sha256: Sha256, entries: Iterable<SortedEntry>, salt: Uint8Array): Uint8Array {
  if (!(salt instanceof Uint8Array) || salt.length > MAX_PROOF_SALT_LENGTH) {
    throw levelError(`The salt must be a Uint8Array of at most ${MAX_PROOF_SALT_LENGTH} bytes`, 'LEVEL_INVALID_VALUE')
  }
  if (typeof (entries as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') {
    throw levelError('The entries must be an iterable of { key, value }', 'LEVEL_INVALID_VALUE')
  }
  const spine: SpineNode[] = []
  let previous: Uint8Array | null = null
  let count = 0
  for (const entry of entries) {
    const { key, value } = (entry ?? {}) as Partial<SortedEntry>
    if (!(key instanceof Uint8Array) || !(value instanceof Uint8Array)) {
      throw levelError(`Entry ${count} is not a { key, value } of two Uint8Arrays`, 'LEVEL_INVALID_VALUE')
    }
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
