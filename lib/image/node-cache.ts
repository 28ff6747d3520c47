/**
 * The budget of nodes read from image files and kept: every file of a
 * database keeps the nodes it decoded in a map by offset, and this cache
 * evicts the oldest ones of all files once their estimated bytes pass
 * `cacheBytes`. Eviction drops only the map's reference: a node a cursor or
 * a tree still holds stays valid, and is read again when next reached
 * through its stub.
 */

/** Bytes a decoded node costs besides its record (objects, views, its children's stubs), estimated. */
export const NODE_OVERHEAD = 640

/** A map of decoded nodes by offset that the cache may evict from. */
export interface NodeHolder {
  /** Forgets the node at `at`; returns the bytes it was counted for (0 if gone already). */
  forget (at: number): number
}

/** Where decoded nodes are counted, oldest first. */
export class NodeCache {
  #holders: Array<NodeHolder | null> = []
  #offsets: number[] = []
  #head = 0
  #bytes = 0
  hits = 0
  misses = 0

  constructor (readonly budget: number) {}

  /** Bytes of decoded nodes held. */
  get bytes (): number {
    return this.#bytes
  }

  /** Counts a node just kept by `holder` at `at`, costing `cost` bytes, and evicts past the budget. */
  added (holder: NodeHolder, at: number, cost: number): void {
    this.#holders.push(holder)
    this.#offsets.push(at)
    this.#bytes += cost
    while (this.#bytes > this.budget && this.#head < this.#holders.length) {
      const victim = this.#holders[this.#head]
      if (victim !== null) this.#bytes -= victim.forget(this.#offsets[this.#head])
      this.#holders[this.#head] = null
      this.#head++
    }
    // Drop the evicted prefix now and then, so that the arrays stay as long as what is held.
    if (this.#head > 4096 && this.#head * 2 > this.#holders.length) {
      this.#holders = this.#holders.slice(this.#head)
      this.#offsets = this.#offsets.slice(this.#head)
      this.#head = 0
    }
  }

  /** Forgets a holder's nodes' bytes when its file is closed. */
  released (bytes: number): void {
    this.#bytes -= bytes
  }
}
