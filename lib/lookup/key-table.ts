/**
 * `KeyTable`: a hash table from key bytes to value, holding exactly the
 * entries of the current version, for point reads (get, getMany, has).
 *
 * Why: the treap's shape is fixed by its contents (that is what makes the
 * Merkle root history-independent), so a lookup descends about 2 ln n levels,
 * some 27 at 10^6 entries, and below the first few each level is a cache miss
 * of a few hundred nanoseconds. Here a lookup reads one line of the tag array
 * and, for the entry found, its key and value: a handful of misses whatever
 * the size.
 *
 * Layout: 256 shards, picked by the top 8 bits of the key's 32-bit hash,
 * each an open-addressing table with linear probing that grows and shrinks
 * on its own: a resize rehashes one shard, never the whole table (whose
 * resize would hold a writer for a long pause at millions of entries). In a
 * shard, `tags[slot]` is the hash with its lowest bit set (0: empty slot),
 * so that a probe compares keys only when the tags match; the next bits of
 * the hash give the home slot. Key and value sit side by side in one array,
 * so that reading both costs one cache miss. Deletion shifts the following
 * entries back (no tombstones, so probe runs never grow with churn). The
 * hash is seeded at random per table: which keys collide cannot be chosen by
 * whoever picks the keys.
 */
import { randomBytes } from 'node:crypto'
import murmurhash from 'murmurhash'
import { bytesEqual } from '../bytes'

/** Shards per table, picked by the top SHARD_BITS bits of a key's hash. */
const SHARD_BITS = 8
/** Smallest shard capacity (a power of two). */
const MIN_BITS = 3
/** A shard grows when more than this fraction of its slots is used... */
const MAX_LOAD = 0.75
/** ...and shrinks when less than this fraction is. */
const MIN_LOAD = 0.125

/** Where {@link KeyTable.update} leaves what it loaded, so that the loads are not optimised away. */
const loaded = { sink: 0 }

/** Changes an update loads ahead at a time: their lines stay in the cache until made. */
const UPDATE_CHUNK = 256
// The tags of an update chunk's keys, in an array reused across updates.
const updateTags = new Int32Array(UPDATE_CHUNK)

/** A hash table of the current version's entries (see the file header). */
export class KeyTable {
  readonly #shards: Shard[] = []
  readonly #shardMask: number
  readonly #seed = randomBytes(4).readUInt32BE(0)

  /**
   * An empty table with room for `expected` entries before it grows.
   * `shardBits` (at most 8) is for tests: one shard makes probe runs long
   * with few keys.
   */
  constructor (expected = 0, shardBits = SHARD_BITS) {
    const shards = 1 << Math.min(shardBits, SHARD_BITS)
    let bits = MIN_BITS
    while ((1 << bits) * MAX_LOAD < expected / shards) bits++
    for (let i = 0; i < shards; i++) this.#shards.push(new Shard(bits))
    this.#shardMask = shards - 1
  }

  /** Number of entries. */
  get size (): number {
    let size = 0
    for (const shard of this.#shards) size += shard.size
    return size
  }

  /** The value of `key`, or undefined. */
  get (key: Uint8Array): Uint8Array | undefined {
    const tag = this.#tagOf(key)
    return this.#shards[(tag >>> (32 - SHARD_BITS)) & this.#shardMask].get(key, tag)
  }

  /** True when `key` is present. */
  has (key: Uint8Array): boolean {
    const tag = this.#tagOf(key)
    return this.#shards[(tag >>> (32 - SHARD_BITS)) & this.#shardMask].find(key, tag) >= 0
  }

  /** Sets `key` to `value`. The table keeps the arrays it is given (a present key keeps its own), as the tree does. */
  set (key: Uint8Array, value: Uint8Array): void {
    const tag = this.#tagOf(key)
    this.#shards[(tag >>> (32 - SHARD_BITS)) & this.#shardMask].set(key, value, tag)
  }

  /** Removes `key`; returns whether it was there. */
  delete (key: Uint8Array): boolean {
    const tag = this.#tagOf(key)
    return this.#shards[(tag >>> (32 - SHARD_BITS)) & this.#shardMask].delete(key, tag)
  }

  /**
   * Applies many changes in order: `keys[i]` is set to `values[i]`, or
   * deleted where that is null. The slots they probe first are loaded
   * together before any change is made: at 10^6 entries each is a cache
   * miss, and issued back to back their waits overlap.
   */
  update (keys: readonly Uint8Array[], values: ReadonlyArray<Uint8Array | null>): void {
    for (let from = 0; from < keys.length; from += UPDATE_CHUNK) this.#updateChunk(keys, values, from, Math.min(keys.length, from + UPDATE_CHUNK))
  }

  #updateChunk (keys: readonly Uint8Array[], values: ReadonlyArray<Uint8Array | null>, from: number, to: number): void {
    const tags = updateTags
    const shards = this.#shards
    const mask = this.#shardMask
    let sink = 0
    for (let i = from; i < to; i++) {
      const tag = this.#tagOf(keys[i])
      tags[i - from] = tag
      sink += shards[(tag >>> (32 - SHARD_BITS)) & mask].touch(tag)
    }
    loaded.sink = sink
    for (let i = from; i < to; i++) {
      const tag = tags[i - from]
      const shard = shards[(tag >>> (32 - SHARD_BITS)) & mask]
      const value = values[i]
      if (value === null) shard.delete(keys[i], tag)
      else shard.set(keys[i], value, tag)
    }
  }

  /**
   * Adds entries whose keys are all distinct and absent from the table (a
   * snapshot's). They are put in shard by shard: a shard fits in the cache,
   * where putting them in key order would miss it on nearly every entry.
   */
  addDistinct (keys: readonly Uint8Array[], values: readonly Uint8Array[]): void {
    const n = keys.length
    const shards = this.#shards
    const mask = this.#shardMask
    const tags = new Int32Array(n)
    // Counting sort of the entries by shard.
    const next = new Int32Array(shards.length + 1)
    for (let i = 0; i < n; i++) {
      const tag = this.#tagOf(keys[i])
      tags[i] = tag
      next[((tag >>> (32 - SHARD_BITS)) & mask) + 1]++
    }
    for (let s = 1; s <= shards.length; s++) next[s] += next[s - 1]
    const order = new Int32Array(n)
    for (let i = 0; i < n; i++) order[next[(tags[i] >>> (32 - SHARD_BITS)) & mask]++] = i
    for (let j = 0; j < n; j++) {
      const i = order[j]
      shards[(tags[i] >>> (32 - SHARD_BITS)) & mask].add(keys[i], values[i], tags[i])
    }
  }

  /** Removes every entry. */
  clear (): void {
    for (const shard of this.#shards) shard.clear()
  }

  /** Calls `visit` for every entry, in no particular order. */
  forEach (visit: (key: Uint8Array, value: Uint8Array) => void): void {
    for (const shard of this.#shards) shard.forEach(visit)
  }

  #tagOf (key: Uint8Array): number {
    return murmurhash.v3(key, this.#seed) | 1
  }
}

/** One shard: open addressing, linear probing (see the file header). */
class Shard {
  #bits = MIN_BITS
  #tags = new Int32Array(0)
  // Key of slot i at 2i, its value at 2i + 1.
  #entries: Array<Uint8Array | null> = []
  size = 0

  constructor (bits: number) {
    this.#allocate(bits)
  }

  get (key: Uint8Array, tag: number): Uint8Array | undefined {
    const slot = this.find(key, tag)
    return slot < 0 ? undefined : this.#entries[2 * slot + 1] as Uint8Array
  }

  // Loads the home slot of `tag`: its tag and its key.
  touch (tag: number): number {
    const home = this.#home(tag)
    return this.#tags[home] + (this.#entries[2 * home] === null ? 0 : 1)
  }

  // The slot holding `key` (whose tag is `tag`), or -1.
  find (key: Uint8Array, tag: number): number {
    const tags = this.#tags
    const mask = tags.length - 1
    for (let slot = this.#home(tag); ; slot = (slot + 1) & mask) {
      const t = tags[slot]
      if (t === 0) return -1
      if (t === tag && bytesEqual(this.#entries[2 * slot] as Uint8Array, key)) return slot
    }
  }

  set (key: Uint8Array, value: Uint8Array, tag: number): void {
    const slot = this.find(key, tag)
    if (slot >= 0) {
      // The key stays the array already there, as in the tree, which keeps a node's key when its
      // value changes: storing the new one would keep two equal arrays alive for the key.
      this.#entries[2 * slot + 1] = value
      return
    }
    this.add(key, value, tag)
  }

  // Adds an entry whose key is absent.
  add (key: Uint8Array, value: Uint8Array, tag: number): void {
    if (this.size + 1 > this.#tags.length * MAX_LOAD) this.#resize(this.#bits + 1)
    this.#place(tag, key, value)
    this.size++
  }

  delete (key: Uint8Array, tag: number): boolean {
    let slot = this.find(key, tag)
    if (slot < 0) return false
    const tags = this.#tags
    const entries = this.#entries
    const mask = tags.length - 1
    // Backward-shift deletion: an entry after the hole moves into it unless its home lies
    // cyclically after the hole (it would then be found before reaching the hole, or not at all).
    for (let next = (slot + 1) & mask; tags[next] !== 0; next = (next + 1) & mask) {
      const home = this.#home(tags[next])
      const stays = slot <= next ? slot < home && home <= next : slot < home || home <= next
      if (stays) continue
      tags[slot] = tags[next]
      entries[2 * slot] = entries[2 * next]
      entries[2 * slot + 1] = entries[2 * next + 1]
      slot = next
    }
    tags[slot] = 0
    entries[2 * slot] = null
    entries[2 * slot + 1] = null
    this.size--
    if (this.#bits > MIN_BITS && this.size < tags.length * MIN_LOAD) this.#resize(this.#bits - 1)
    return true
  }

  clear (): void {
    this.#allocate(MIN_BITS)
    this.size = 0
  }

  forEach (visit: (key: Uint8Array, value: Uint8Array) => void): void {
    const tags = this.#tags
    for (let slot = 0; slot < tags.length; slot++) {
      if (tags[slot] !== 0) visit(this.#entries[2 * slot] as Uint8Array, this.#entries[2 * slot + 1] as Uint8Array)
    }
  }

  // Puts an entry known to be absent in the first free slot of its run.
  #place (tag: number, key: Uint8Array, value: Uint8Array): void {
    const tags = this.#tags
    const mask = tags.length - 1
    let slot = this.#home(tag)
    while (tags[slot] !== 0) slot = (slot + 1) & mask
    tags[slot] = tag
    this.#entries[2 * slot] = key
    this.#entries[2 * slot + 1] = value
  }

  // The bits below the shard's pick the slot: the low bit of a tag is always set.
  #home (tag: number): number {
    return (tag << SHARD_BITS) >>> (32 - this.#bits)
  }

  #resize (bits: number): void {
    const tags = this.#tags
    const entries = this.#entries
    this.#allocate(bits)
    for (let slot = 0; slot < tags.length; slot++) {
      if (tags[slot] !== 0) this.#place(tags[slot], entries[2 * slot] as Uint8Array, entries[2 * slot + 1] as Uint8Array)
    }
  }

  #allocate (bits: number): void {
    const capacity = 1 << bits
    this.#bits = bits
    this.#tags = new Int32Array(capacity)
    this.#entries = new Array<Uint8Array | null>(2 * capacity).fill(null)
  }
}
