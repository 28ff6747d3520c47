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
import { randomBytes } from 'node:crypto'
import { bytesEqual, compareKeys, keyPrefix } from '../bytes'
import type { DelOp, PutOp } from './batch-record'

/** A put or a delete: what one key's entry becomes. */
export type KeyedOp = PutOp | DelOp

// What a pending operation is estimated to hold in memory besides its key and value: its slots
// in the table and the lists below, the operation and two views.
const OP_OVERHEAD_BYTES = 200
// Slots of a new table (a feed reader makes one per page of batches); it doubles once half full.
const FIRST_SLOTS = 64
// What a taken operation's key becomes: probes only pass its place, and the log buffer the key
// was a view of may go.
const TAKEN_KEY = new Uint8Array(0)
const EMPTY = -1
// A seed per process, so that which keys collide cannot be worked out in advance.
const SEED = randomBytes(4).readInt32LE(0)

// FNV-1a over the key's bytes from the seed, then murmur3's finalizer to spread the low bits
// the table is indexed by.
function hashKey (key: Uint8Array): number {
  let h = SEED
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i], 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

function opBytes (op: KeyedOp): number {
  return OP_OVERHEAD_BYTES + op.key.byteLength + (op.type === 'put' ? op.value.byteLength : 0)
}

/**
 * The pending operations (see the file header): an open-addressing hash
 * table of the keys' first operations' places, the operations in the order
 * their keys first came. A Map by a string of the key cost a string per add
 * and lookup; this costs a hash of the key's bytes.
 */
export class PendingOps {
  // Places in #ops, EMPTY where none; a power of two long, at most half full.
  #slots = new Int32Array(FIRST_SLOTS).fill(EMPTY)
  // By the order keys came in: each key, its hash, and its newest operation (null once taken: a
  // taken key keeps its place, so that probes for later keys pass it, but not its bytes).
  #keys: Uint8Array[] = []
  #hashes: number[] = []
  #ops: Array<KeyedOp | null> = []
  #size = 0
  // The places in key order, made at the first take; adds are refused until all are taken.
  #order: number[] | null = null
  #next = 0
  #bytes = 0
  // What sorted() listed, until the operations change.
  #sorted: KeyedOp[] | null = null

  /** Keys with a pending operation. */
  get size (): number {
    return this.#size
  }

  /**
   * The estimated memory the operations hold, their keys and values included:
   * at most that of every operation added since the table was last empty (one
   * that replaced another is counted as well; the log those writes took grows
   * as fast).
   */
  get bytes (): number {
    return this.#bytes
  }

  /** Adds an operation, which replaces any earlier one of its key. */
  add (op: KeyedOp): void {
    if (this.#order !== null) throw new Error('PendingOps: add after take')
    this.#bytes += opBytes(op)
    this.#sorted = null
    const hash = hashKey(op.key)
    const slots = this.#slots
    const mask = slots.length - 1
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const place = slots[i]
      if (place === EMPTY) {
        slots[i] = this.#ops.length
        this.#keys.push(op.key)
        this.#hashes.push(hash)
        this.#ops.push(op)
        this.#size++
        if (this.#ops.length * 2 > slots.length) this.#grow()
        return
      }
      if (this.#hashes[place] === hash && bytesEqual(this.#keys[place], op.key)) {
        // The newest operation's view of the key: the replaced one's buffer may go.
        this.#keys[place] = op.key
        this.#ops[place] = op
        return
      }
    }
  }

  /** The pending operation of `key`, if any. */
  lookup (key: Uint8Array): KeyedOp | undefined {
    if (this.#size === 0) return undefined
    const hash = hashKey(key)
    const slots = this.#slots
    const mask = slots.length - 1
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const place = slots[i]
      if (place === EMPTY) return undefined
      // A taken place never matches: its key is no longer pending, and keys are distinct.
      const op = this.#ops[place]
      if (op !== null && this.#hashes[place] === hash && bytesEqual(this.#keys[place], key)) return op
    }
  }

  /**
   * Every operation, in key order; they stay pending. Sorted once until the
   * next add: a buffer a checkpoint captured is listed by the checkpoint, and
   * again by a reader that applies it or a failure that puts it back.
   */
  sorted (): KeyedOp[] {
    this.#sorted ??= this.#inKeyOrder().map(place => this.#ops[place] as KeyedOp)
    return this.#sorted
  }

  /** Takes up to `max` operations, the next in key order; they are no longer pending. */
  take (max: number): KeyedOp[] {
    this.#sorted = null
    this.#order ??= this.#inKeyOrder()
    const order = this.#order
    const end = Math.min(order.length, this.#next + max)
    const ops: KeyedOp[] = []
    for (; this.#next < end; this.#next++) {
      const place = order[this.#next]
      const op = this.#ops[place] as KeyedOp
      ops.push(op)
      this.#bytes = Math.max(0, this.#bytes - opBytes(op))
      this.#ops[place] = null
      this.#keys[place] = TAKEN_KEY
      this.#size--
    }
    if (this.#next === order.length) this.#clear()
    return ops
  }

  // All taken: the table is empty and may be filled again.
  #clear (): void {
    this.#slots = new Int32Array(FIRST_SLOTS).fill(EMPTY)
    this.#keys = []
    this.#hashes = []
    this.#ops = []
    this.#size = 0
    this.#order = null
    this.#next = 0
    this.#bytes = 0
  }

  // The places of the pending operations, in their keys' order (keys are distinct).
  #inKeyOrder (): number[] {
    const keys = this.#keys
    const places: number[] = []
    const prefixes: number[] = []
    for (let place = 0; place < keys.length; place++) {
      prefixes.push(keyPrefix(keys[place]))
      if (this.#ops[place] !== null) places.push(place)
    }
    return places.sort((a, b) => compareKeys(keys[a], prefixes[a], keys[b], prefixes[b]))
  }

  #grow (): void {
    const slots = new Int32Array(this.#slots.length * 2).fill(EMPTY)
    const mask = slots.length - 1
    const hashes = this.#hashes
    for (let place = 0; place < hashes.length; place++) {
      let i = hashes[place] & mask
      while (slots[i] !== EMPTY) i = (i + 1) & mask
      slots[i] = place
    }
    this.#slots = slots
  }
}
