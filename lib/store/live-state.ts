/**
 * The current state of an open database as a batch's operations change it:
 * the tree version, changed by puts, deletes and range deletes in order
 * (batch-record.ts applyOps).
 */
import type { Tree } from '../tree/tree'
import type { KeyRange } from '../tree/treap'

/** The current version, changed operation by operation. */
export class LiveState {
  constructor (public tree: Tree) {}

  /** Sets `key` to `value`. */
  put (key: Uint8Array, value: Uint8Array): this {
    this.tree = this.tree.put(key, value)
    return this
  }

  /** Deletes `key`. */
  del (key: Uint8Array): this {
    this.tree = this.tree.del(key)
    return this
  }

  /** Deletes the entries of `range`. */
  delRange (range: KeyRange): this {
    this.tree = this.tree.delRange(range)
    return this
  }
}
