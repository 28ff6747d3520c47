/**
 * The puts and deletes that recovery read from the log but has not applied
 * to the tree yet: the last one of each key, found by key. Open hands them to
 * the engine, which answers point reads from them first and applies them in
 * key order in slices (engine.ts): replaying a full log through the tree,
 * and hashing what it changed, is most of what an open after a crash costs,
 * and none of it is needed to answer a read.
 */
import type { DelOp, PutOp } from './batch-record'

type KeyedOp = PutOp | DelOp

// A key as a map key: one character per byte (latin1), so that strings sort as the bytes do.
function keyString (key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
}

/** The pending operations (see the file header). */
export class PendingReplay {
  readonly #byKey = new Map<string, KeyedOp>()
  // The keys in order, made at the first take; adds are refused until all are taken.
  #order: string[] | null = null
  #next = 0

  /** Keys with a pending operation. */
  get size (): number {
    return this.#byKey.size
  }

  /** Adds an operation, which replaces any earlier one of its key. */
  add (op: KeyedOp): void {
    if (this.#order !== null) throw new Error('PendingReplay: add after take')
    this.#byKey.set(keyString(op.key), op)
  }

  /** The pending operation of `key`, if any. */
  lookup (key: Uint8Array): KeyedOp | undefined {
    return this.#byKey.size === 0 ? undefined : this.#byKey.get(keyString(key))
  }

  /** Takes up to `max` operations, the next in key order; they are no longer pending. */
  take (max: number): KeyedOp[] {
    this.#order ??= [...this.#byKey.keys()].sort()
    const order = this.#order
    const end = Math.min(order.length, this.#next + max)
    const ops: KeyedOp[] = []
    for (; this.#next < end; this.#next++) {
      const key = order[this.#next]
      ops.push(this.#byKey.get(key) as KeyedOp)
      this.#byKey.delete(key)
    }
    if (this.#next === order.length) {
      // All taken, the map is empty: it may be filled again.
      this.#order = null
      this.#next = 0
    }
    return ops
  }
}
