/**
 * Puts and deletes that the current state holds but its tree does not yet:
 * the last one of each key, found by key. Two kinds are kept (engine.ts):
 * the operations recovery read from the log at open, applied to the tree
 * after open in slices (replaying a full log through the tree, and hashing
 * what it changed, is most of what an open after a crash costs, and none of
 * it is needed to answer a read); and the writes committed since the last
 * checkpoint captured its version (the write buffer), which that checkpoint
 * applies to the tree while it writes the image (applied-image.ts), unless
 * a reader needs the whole tree first. Point reads look here before the tree.
 */
import type { DelOp, PutOp } from './batch-record'

/** A put or a delete: what one key's entry becomes. */
export type KeyedOp = PutOp | DelOp

// What a pending operation is estimated to hold in memory besides its key and value: the map's
// entry, its key string, the operation and two views.
const OP_OVERHEAD_BYTES = 200

// A key as a map key: one character per byte (latin1), so that strings sort as the bytes do.
function keyString (key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
}

function opBytes (op: KeyedOp): number {
  return OP_OVERHEAD_BYTES + op.key.byteLength + (op.type === 'put' ? op.value.byteLength : 0)
}

/** The pending operations (see the file header). */
export class PendingOps {
  readonly #byKey = new Map<string, KeyedOp>()
  // The keys in order, made at the first take; adds are refused until all are taken.
  #order: string[] | null = null
  #next = 0
  #bytes = 0
  // What sorted() listed, until the operations change.
  #sorted: KeyedOp[] | null = null

  /** Keys with a pending operation. */
  get size (): number {
    return this.#byKey.size
  }

  /**
   * The estimated memory the operations hold, their keys and values included:
   * at most that of every operation added since the map was last empty (one
   * that replaced another is counted as well, rather than look the key up
   * twice on every add; the log those writes took grows as fast).
   */
  get bytes (): number {
    return this.#bytes
  }

  /** Adds an operation, which replaces any earlier one of its key. */
  add (op: KeyedOp): void {
    if (this.#order !== null) throw new Error('PendingOps: add after take')
    this.#bytes += opBytes(op)
    this.#sorted = null
    this.#byKey.set(keyString(op.key), op)
  }

  /** The pending operation of `key`, if any. */
  lookup (key: Uint8Array): KeyedOp | undefined {
    return this.#byKey.size === 0 ? undefined : this.#byKey.get(keyString(key))
  }

  /**
   * Every operation, in key order; they stay pending. Sorted once until the
   * next add: a buffer a checkpoint captured is listed by the checkpoint, and
   * again by a reader that applies it or a failure that puts it back.
   */
  sorted (): KeyedOp[] {
    this.#sorted ??= [...this.#byKey.keys()].sort().map(key => this.#byKey.get(key) as KeyedOp)
    return this.#sorted
  }

  /** Takes up to `max` operations, the next in key order; they are no longer pending. */
  take (max: number): KeyedOp[] {
    this.#sorted = null
    this.#order ??= [...this.#byKey.keys()].sort()
    const order = this.#order
    const end = Math.min(order.length, this.#next + max)
    const ops: KeyedOp[] = []
    for (; this.#next < end; this.#next++) {
      const key = order[this.#next]
      const op = this.#byKey.get(key) as KeyedOp
      ops.push(op)
      this.#bytes = Math.max(0, this.#bytes - opBytes(op))
      this.#byKey.delete(key)
    }
    if (this.#next === order.length) {
      // All taken, the map is empty: it may be filled again.
      this.#order = null
      this.#next = 0
      this.#bytes = 0
    }
    return ops
  }
}
