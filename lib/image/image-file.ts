/**
 * `ImageFile`: one open image file of a generation, the source its stubs are
 * read from. A stub is read with one synchronous positioned read of its
 * record (the length is in the reference), checked against its checksum and
 * decoded into a node whose children are stubs again. Decoded nodes are kept
 * by offset, within the database's {@link NodeCache} budget.
 *
 * A record that fails its checksum or does not decode raises
 * LEVEL_CORRUPTION naming the file and offset, from the read that reached it;
 * nothing is kept of it, and every other node stays readable.
 */
import { corruption, ioError } from '../errors'
import type { FileHandle } from '../fs/file-system'
import { copyDigestBytes } from '../tree/cached-digests'
import type { HashSlab } from '../tree/cached-digests'
import { imageNode, stubNode } from '../tree/node'
import type { NodeSource, TreeNode } from '../tree/node'
import { readU32LE } from '../bytes'
import { crc32c } from '../checksum'
import { RECORD_HASHES_AT, RecordFields, decodeRecord, fileTag, writeSeedBytes } from './format'
import type { ImageHeader } from './format'
import { BLOCK_BYTES, NODE_OVERHEAD } from './node-cache'
import type { NodeCache, NodeHolder } from './node-cache'
import { NodeTable } from './node-table'

/** The buffers that decoded records are copied into. */
const ARENA_BYTES = 8 * 1024
/** Bytes a record's checksum is seeded with. */
const SEED_BYTES = 12
/** Where a record starts past a 32-byte slot of its arena: its value hash (at 9) then fills the next slot. */
const HASH_BEFORE_RECORD = 32 - 9
/** Bytes a cached block costs besides its bytes, estimated. */
const BLOCK_OVERHEAD = 128

/** The files of a generation, by index: what a record's reference names. */
export interface FileTable {
  /** The file at `index`, or undefined. */
  file (index: number): ImageFile | undefined
}

/** An open image file (see the file header). */
export class ImageFile implements NodeSource, NodeHolder {
  readonly #nodes = new NodeTable()
  #held = 0
  readonly #blocks = new Map<number, Uint8Array>()
  #blocksHeld = 0
  #arena = new Uint8Array(0)
  #arenaSlab: HashSlab = { nodeHashes: this.#arena, valueHashes: this.#arena }
  #arenaUsed = 0
  // What decodeRecord leaves of the record being read: one for every read, so that it allocates nothing.
  readonly #fields = new RecordFields()
  readonly #blockHolder: NodeHolder = { forget: index => this.#forgetBlock(index) }
  #closed = false
  readonly tag: number

  constructor (
    /** The file's name in the database directory. */
    readonly name: string,
    readonly handle: FileHandle,
    readonly header: ImageHeader,
    /** This file's index in its chain. */
    readonly index: number,
    readonly table: FileTable,
    readonly cache: NodeCache
  ) {
    this.tag = fileTag(header.seq)
  }

  /** The top node's stub, or null when the image has no entries. */
  topStub (): TreeNode | null {
    const top = this.header.top
    if (top === null) return null
    const source = this.table.file(top.file)
    if (source === undefined) throw corruption(`${this.name}: the top node refers to file ${top.file}, which its chain does not have`)
    return stubNode(source, top.at, top.len, this.header.count, { nodeHashes: top.hash, valueHashes: top.hash }, 0)
  }

  fetch (stub: TreeNode): TreeNode {
    return this.#lookup(stub, true)
  }

  peek (stub: TreeNode): TreeNode {
    return this.#lookup(stub, false)
  }

  // The node `stub` stands for, from the cache or its record; one read from the record is cached with `keep`.
  #lookup (stub: TreeNode, keep: boolean): TreeNode {
    const kept = this.#nodes.get(stub.at)
    if (kept !== undefined) {
      this.cache.hits++
      return kept
    }
    this.cache.misses++
    const node = this.#read(stub)
    if (keep) {
      const cost = NODE_OVERHEAD + stub.len
      this.#nodes.set(stub.at, node)
      this.#held += cost
      this.cache.added(this, stub.at, cost)
    }
    return node
  }

  forget (at: number, cost: number): number {
    if (!this.#nodes.delete(at)) return 0
    this.#held -= cost
    return cost
  }

  #forgetBlock (index: number): number {
    const block = this.#blocks.get(index)
    if (block === undefined) return 0
    this.#blocks.delete(index)
    this.cache.recycle(block)
    const cost = BLOCK_OVERHEAD + block.length
    this.#blocksHeld -= cost
    return cost
  }

  /** Reads and decodes the node `stub` stands for, without keeping it. */
  #read (stub: TreeNode): TreeNode {
    if (this.#closed) throw ioError(`${this.name} is closed: this version of the database is no longer readable`)
    const { at, len } = stub
    if (at + len > this.header.end) throw corruption(`${this.name}: a reference to ${len} bytes at ${at} passes the end of the records (${this.header.end})`)
    const start = this.#recordBytes(at, len)
    const bytes = this.#arena
    const f = this.#fields
    const problem = decodeRecord(bytes, start, start + len, f)
    if (problem !== null) throw corruption(`${this.name}: record at ${at}: ${problem}`)
    // The arena's slab holds the children's hashes where the record has them, and this node's
    // digests (see #recordBytes): its node hash, copied from the parent's record, then its value hash.
    const slab = this.#arenaSlab
    const own = stub.slab as HashSlab
    const slot = (start - HASH_BEFORE_RECORD) / 32
    copyDigestBytes(own.nodeHashes, stub.slot * 32, bytes, start - HASH_BEFORE_RECORD)
    let childSlot = (start + RECORD_HASHES_AT) / 32
    let left: TreeNode | null = null
    let right: TreeNode | null = null
    let size = 1
    if (f.hasLeft) {
      left = stubNode(this.#source(f.leftFile, at), f.leftAt, f.leftLen, f.leftSize, slab, childSlot++)
      size += f.leftSize
    }
    if (f.hasRight) {
      right = stubNode(this.#source(f.rightFile, at), f.rightAt, f.rightLen, f.rightSize, slab, childSlot)
      size += f.rightSize
    }
    if (size !== stub.size) throw corruption(`${this.name}: record at ${at}: its subtree holds ${size} entries, its reference says ${stub.size}`)
    return imageNode(bytes.subarray(f.keyStart, f.keyEnd), bytes.subarray(f.valueStart, f.valueEnd), f.prio, left, right, size, slab, slot, this, at, len)
  }

  // Copies the record's bytes into the arena, its checksum checked, and returns where they start
  // there (a node keeps views of them; a block may be evicted). Records are copied into a shared
  // arena: one small buffer each made decoding half as fast. A node, or a stub of its children,
  // that a write copies into the tree in memory keeps its whole arena alive until the next
  // checkpoint, so arenas are small. The checksum's seed bytes are written just before the
  // record's body, over its stored checksum, so that one call checks both (CRC-32C of seed
  // bytes ‖ body).
  //
  // A record starts HASH_BEFORE_RECORD bytes past a multiple of 32, so that the arena is a
  // HashSlab of 32-byte slots (valueHashes one slot on from nodeHashes): the record's child
  // hashes (at 41) fill whole slots, and so does its value hash (at 9) once the node hash is
  // copied over the 32 bytes before it (checksum, flags and priority, decoded by then).
  // Loaded nodes have no digests object of their own then, and the children's stubs share one slab.
  #recordBytes (at: number, len: number): number {
    const index = Math.floor(at / BLOCK_BYTES)
    const offset = at - index * BLOCK_BYTES
    let source: Uint8Array
    let from: number
    if (offset + len > BLOCK_BYTES) {
      source = this.#readAt(at, len)
      from = 0
    } else {
      source = this.#blocks.get(index) ?? this.#readBlock(index)
      from = offset
      if (from + len > source.length) throw corruption(`${this.name}: the record at ${at} runs past the end of the file`)
    }
    // From a 32-byte boundary to the next one after the record (not a bitwise round: `len` is
    // what a reference says, which a damaged file may make past 2^31).
    const room = Math.ceil((HASH_BEFORE_RECORD + len) / 32) * 32
    if (this.#arenaUsed + room > this.#arena.length) {
      const arena = new Uint8Array(Math.max(ARENA_BYTES, room))
      this.#arena = arena
      this.#arenaSlab = { nodeHashes: arena, valueHashes: arena.subarray(32) }
      this.#arenaUsed = 0
    }
    const start = this.#arenaUsed + HASH_BEFORE_RECORD
    const seedAt = start + 4 - SEED_BYTES
    const arena = this.#arena
    arena.set(source.subarray(from + 4, from + len), start + 4)
    writeSeedBytes(arena, seedAt, this.tag, at)
    if (crc32c(arena.subarray(seedAt, start + len)) !== readU32LE(source, from)) throw corruption(`${this.name}: record at ${at}: record checksum mismatch`)
    this.#arenaUsed += room
    return start
  }

  #readBlock (index: number): Uint8Array {
    const at = index * BLOCK_BYTES
    const block = this.#readAt(at, Math.min(BLOCK_BYTES, this.header.end - at), this.cache.blockBuffer())
    const cost = BLOCK_OVERHEAD + block.length
    // Counted last: with a budget below one block, the cache evicts it at once and recycles its
    // buffer, which stays intact until the next block read (the caller copies from it first).
    this.#blocks.set(index, block)
    this.#blocksHeld += cost
    this.cache.blockAdded(this.#blockHolder, index, cost)
    return block
  }

  // `len` bytes at `at`. Into `into` (a block's buffer), fewer when the file ends first: the caller checks.
  #readAt (at: number, len: number, into?: Uint8Array): Uint8Array {
    // Not zeroed: every byte is read over, or cut off when the file ends first.
    const bytes = into?.subarray(0, len) ?? Buffer.allocUnsafeSlow(len)
    let read: number
    try {
      read = this.handle.readSync(bytes, at)
    } catch (err) {
      throw ioError(`Reading ${this.name} at ${at} failed`, err)
    }
    if (read < len) {
      if (into === undefined) throw corruption(`${this.name}: the record at ${at} runs past the end of the file`)
      return bytes.subarray(0, read)
    }
    return bytes
  }

  // The file a child reference names: this one or an earlier one of its chain.
  #source (index: number, at: number): ImageFile {
    const file = index <= this.index ? this.table.file(index) : undefined
    if (file === undefined) throw corruption(`${this.name}: record at ${at} refers to file ${index}, which its chain does not have`)
    return file
  }

  /** Closes the file; its nodes already decoded stay usable, stubs of it no longer are. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#nodes.clear()
    this.#blocks.clear()
    this.cache.released(this.#held, this.#blocksHeld)
    this.#held = 0
    this.#blocksHeld = 0
    await this.handle.close()
  }
}
