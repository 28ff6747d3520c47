/**
 * The iterator: a tree cursor over the version captured when the iterator
 * was created (the implicit snapshot), checked against the range's far bound.
 * Range bounds and seek targets come in the key format and are compared as
 * bytes; entries go out in the formats asked for.
 */
import { AbstractIterator } from 'abstract-level'
import { compareBytes } from '../bytes'
import type { TreeCursor } from '../tree/cursor'
import type { TreeNode } from '../tree/node'
import type { Tree } from '../tree/tree'
import { boundBytes, fromBytes, toBytes } from './formats'
import type { Encoded, Format } from './formats'
import type { PrivateIteratorOptions, PrivateRangeOptions } from './private-api'

type Entry = [Encoded | undefined, Encoded | undefined]

/** Most entries one cursor take copies (its scratch queue grows to this). */
const MAX_CHUNK = 1024
/** The first take of a range with a far end. */
const FIRST_BOUNDED_CHUNK = 32
/**
 * The nodes of one {@link TreeCursor.take}, shared by all iterators: a take and
 * the copy that follows run without a pause, and an iterator made for a range
 * of a hundred entries should not allocate a thousand slots.
 */
const scratch = new Array<TreeNode>(MAX_CHUNK).fill(null as unknown as TreeNode)

/** The iterator class of MerkleLevel. */
export class MerkleIterator extends AbstractIterator<unknown, Encoded, Encoded> {
  readonly #cursor: TreeCursor
  readonly #range: RangeCheck
  readonly #keys: boolean
  readonly #values: boolean
  readonly #keyFormat: Format
  readonly #valueFormat: Format
  // The cursor is placed on the first call, not here: placing it may read the image, and a
  // failed read belongs to that call's promise.
  #placed = false
  // A read that failed midway leaves the cursor somewhere undefined: every later call fails too.
  #failed: unknown = null

  constructor (db: unknown, tree: Tree, options: PrivateIteratorOptions) {
    super(db, options as never)
    this.#keys = options.keys
    this.#values = options.values
    this.#keyFormat = options.keyEncoding
    this.#valueFormat = options.valueEncoding
    this.#range = new RangeCheck(options)
    this.#cursor = tree.cursor(options.reverse)
  }

  // Runs a cursor move, placing the cursor first if it is not yet; remembers a failure.
  #guarded<T> (move: () => T): T {
    if (this.#failed !== null) throw this.#failed
    try {
      if (!this.#placed) {
        const start = this.#range.start
        if (start === undefined) this.#cursor.first()
        else this.#cursor.seek(start.key, start.inclusive)
        this.#placed = true
      }
      return move()
    } catch (err) {
      this.#failed = err
      throw err
    }
  }

  async _next (): Promise<Entry | undefined> {
    return this.#guarded(() => this.#nextOne())
  }

  #nextOne (): Entry | undefined {
    const node = this.#cursor.current
    if (node === null || this.#range.beyond(node.key)) return undefined
    this.#cursor.advance()
    return [
      this.#keys ? fromBytes(node.key, this.#keyFormat) : undefined,
      this.#values ? fromBytes(node.value, this.#valueFormat) : undefined
    ]
  }

  async _nextv (size: number): Promise<Entry[]> {
    return this.#guarded(() => this.#take(size))
  }

  async _all (): Promise<Entry[]> {
    return this.#guarded(() => this.#take(this.limit - this.count))
  }

  #take (size: number): Entry[] {
    let entries: Entry[] | null = null
    let count = 0
    const cursor = this.#cursor
    const range = this.#range
    const keys = this.#keys
    const values = this.#values
    const keyFormat = this.#keyFormat
    const valueFormat = this.#valueFormat
    const nodes = scratch
    // A bounded range may end anywhere: take small chunks first, so that a short
    // range does not copy a thousand entries past its end.
    let chunk = range.bounded ? FIRST_BOUNDED_CHUNK : MAX_CHUNK
    let used = 0
    while (count < size) {
      const taken = cursor.take(Math.min(size - count, chunk), nodes)
      if (taken === 0) break
      used = Math.max(used, taken)
      // The cursor moves in key order, so the entries within the range are a prefix.
      const within = range.beyond(nodes[taken - 1].key) ? range.countWithin(nodes, taken) : taken
      // Sized once per take rather than grown by push: most calls need a single take.
      if (entries === null) entries = new Array<Entry>(within)
      else entries.length = count + within
      for (let i = 0; i < within; i++) {
        const node = nodes[i]
        entries[count + i] = [keys ? fromBytes(node.key, keyFormat) : undefined, values ? fromBytes(node.value, valueFormat) : undefined]
      }
      count += within
      if (within < taken) {
        // Past the end: the cursor stays beyond it, so later calls find nothing.
        range.exhaust()
        break
      }
      chunk = Math.min(chunk * 2, MAX_CHUNK)
    }
    // Hold no node of this version past the call: the scratch would keep it alive.
    nodes.fill(null as unknown as TreeNode, 0, used)
    return entries ?? []
  }

  _seek (encodedTarget: Encoded): void {
    const target = toBytes(encodedTarget)
    if (this.#range.outside(target)) {
      // A target outside the range ends the iterator (until the next seek).
      this.#range.exhaust()
      return
    }
    this.#range.renew()
    this.#placed = true
    this.#guarded(() => this.#cursor.seek(target, true))
  }
}

/** The range of an iterator, seen in its direction: where it starts and where it ends. */
export class RangeCheck {
  readonly start: { key: Uint8Array, inclusive: boolean } | undefined
  readonly #end: { key: Uint8Array, inclusive: boolean } | undefined
  readonly #reverse: boolean
  #exhausted = false

  constructor (range: PrivateRangeOptions) {
    const low = bound(range.gte, range.gt)
    const high = bound(range.lte, range.lt)
    this.#reverse = range.reverse
    this.start = range.reverse ? high : low
    this.#end = range.reverse ? low : high
  }

  /** The range has a far end (or was ended by a seek). */
  get bounded (): boolean {
    return this.#end !== undefined || this.#exhausted
  }

  /**
   * How many of the first `count` nodes, in the iterator's order, are not
   * {@link beyond} the far end (a prefix, since keys come in order).
   */
  countWithin (nodes: readonly TreeNode[], count: number): number {
    let low = 0
    let high = count
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.beyond(nodes[middle].key)) high = middle
      else low = middle + 1
    }
    return low
  }

  /** True when `key` lies past the far end of the range (or the iterator was ended by a seek). */
  beyond (key: Uint8Array): boolean {
    if (this.#exhausted) return true
    const end = this.#end
    if (end === undefined) return false
    const c = compareBytes(key, end.key)
    const past = this.#reverse ? c < 0 : c > 0
    return past || (c === 0 && !end.inclusive)
  }

  /** True when `key` is outside the range on either side. */
  outside (key: Uint8Array): boolean {
    const start = this.start
    if (start !== undefined) {
      const c = compareBytes(key, start.key)
      const before = this.#reverse ? c > 0 : c < 0
      if (before || (c === 0 && !start.inclusive)) return true
    }
    const end = this.#end
    if (end === undefined) return false
    const c = compareBytes(key, end.key)
    return (this.#reverse ? c < 0 : c > 0) || (c === 0 && !end.inclusive)
  }

  /** Marks the range as used up. */
  exhaust (): void {
    this.#exhausted = true
  }

  /** Clears a previous {@link exhaust}. */
  renew (): void {
    this.#exhausted = false
  }
}

function bound (inclusive: Encoded | undefined, exclusive: Encoded | undefined): { key: Uint8Array, inclusive: boolean } | undefined {
  const closed = boundBytes(inclusive)
  if (closed !== undefined) return { key: closed, inclusive: true }
  const open = boundBytes(exclusive)
  if (open !== undefined) return { key: open, inclusive: false }
  return undefined
}
