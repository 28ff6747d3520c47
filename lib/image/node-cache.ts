/**
 * The memory budget of what is read from image files, in two parts:
 *
 * - decoded nodes, which every file keeps in a map by offset;
 * - blocks of raw file bytes ({@link BLOCK_BYTES}, aligned), from which
 *   records are decoded: a record near one just read costs no system call.
 *   Records are written children first, so a subtree that fits in a block
 *   is read with one call, and an in-order walk reads a file nearly in order.
 *
 * Each part evicts its oldest entries, of all files, once its bytes pass its
 * share of `cacheBytes`. Eviction drops only the cache's reference: a node a
 * cursor or a tree still holds stays valid, and is read again when next
 * reached through its stub.
 */

/** Bytes a decoded node costs besides its record (objects, views, its children's stubs), estimated. */
export const NODE_OVERHEAD = 640
/** The size and alignment of the blocks read from image files. */
export const BLOCK_BYTES = 8 * 1024
// Buffers kept for reuse beyond the budget: a few, since each eviction makes one and each read takes one.
const MAX_SPARE = 16
/** The share of the budget that holds raw blocks; decoded nodes have the rest. */
const BLOCK_SHARE = 0.25

/** A map of cached things by number that the cache may evict from. */
export interface NodeHolder {
  /**
   * Forgets the entry at `at`, counted for `cost` bytes when added; returns the bytes it still
   * held (0 if gone already). The cost comes from the cache so that evicting reads nothing of the
   * entry: an old node is a probable processor cache miss.
   */
  forget (at: number, cost: number): number
}

// Entries of every holder, oldest first, evicted past `budget` bytes.
class Ring {
  #holders: Array<NodeHolder | null> = []
  #offsets: number[] = []
  #costs: number[] = []
  #head = 0
  bytes = 0

  constructor (readonly budget: number) {}

  added (holder: NodeHolder, at: number, cost: number): void {
    this.#holders.push(holder)
    this.#offsets.push(at)
    this.#costs.push(cost)
    this.bytes += cost
    while (this.bytes > this.budget && this.#head < this.#holders.length) {
      const victim = this.#holders[this.#head]
      if (victim !== null) this.bytes -= victim.forget(this.#offsets[this.#head], this.#costs[this.#head])
      this.#holders[this.#head] = null
      this.#head++
    }
    // Drop the evicted prefix now and then, so that the arrays stay as long as what is held.
    if (this.#head > 4096 && this.#head * 2 > this.#holders.length) {
      this.#holders = this.#holders.slice(this.#head)
      this.#offsets = this.#offsets.slice(this.#head)
      this.#costs = this.#costs.slice(this.#head)
      this.#head = 0
    }
  }
}

/** Where decoded nodes and raw blocks are counted (see the file header). */
export class NodeCache {
  readonly #nodes: Ring
  readonly #blocks: Ring
  // Evicted blocks' buffers: reading into them spares the allocator and the collector.
  readonly #spare: Uint8Array[] = []
  /** Nodes found decoded, and nodes decoded. */
  hits = 0
  misses = 0
  /** Blocks read from files. */
  blockReads = 0

  constructor (readonly budget: number) {
    const blocks = Math.floor(budget * BLOCK_SHARE)
    this.#blocks = new Ring(blocks)
    this.#nodes = new Ring(budget - blocks)
  }

  /** Bytes held. */
  get bytes (): number {
    return this.#nodes.bytes + this.#blocks.bytes
  }

  /** Counts a node just kept by `holder` at `at`, costing `cost` bytes, and evicts past the budget. */
  added (holder: NodeHolder, at: number, cost: number): void {
    this.#nodes.added(holder, at, cost)
  }

  /** Counts a block just kept by `holder` as number `index`, and evicts past the budget. */
  blockAdded (holder: NodeHolder, index: number, cost: number): void {
    this.blockReads++
    this.#blocks.added(holder, index, cost)
  }

  /** A block's buffer the cache evicted, to read into again (nothing else keeps a view of a block), or a new one. */
  blockBuffer (): Uint8Array {
    return this.#spare.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES)
  }

  /** Takes back the buffer of an evicted block. */
  recycle (block: Uint8Array): void {
    if (block.buffer.byteLength === BLOCK_BYTES && this.#spare.length < MAX_SPARE) this.#spare.push(new Uint8Array(block.buffer))
  }

  /** Forgets a holder's bytes when its file is closed. */
  released (nodeBytes: number, blockBytes: number): void {
    this.#nodes.bytes -= nodeBytes
    this.#blocks.bytes -= blockBytes
  }
}
