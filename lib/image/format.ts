/**
 * The tree image format (format version 2 of snapshot files; docs/FORMAT.md,
 * "Tree images"). An image file holds nodes of the Merkle treap as records,
 * children before parents, after a header block written last:
 *
 *     header (4096 bytes at offset 0, little-endian integers)
 *        0   8  magic 89 4D 4C 53 4E 41 50 0A  ("\x89MLSNAP\n", as version 1)
 *        8   4  format version (2)
 *       12  64  identity
 *       76   8  sequence number of the last batch the state includes
 *       84   8  number of entries
 *       92  32  Merkle root of the state
 *      124   1  kind: 1 base, 2 delta
 *      125   1  zero
 *      126   2  chain length k: the files this one refers to (index 0..k-1); this file is index k
 *      128   8  the top node's reference (zero when there are no entries)
 *      136   4  the top node's record length
 *      140  32  the top node's hash
 *      172   8  end of the records (the file's length)
 *      180  8k  the sequence numbers of the chain's files, index 0 first
 *     4092   4  CRC-32C of bytes 0..4091
 *
 *     record (at a reference's offset, of the length the reference gives)
 *        0   4  CRC-32C of bytes 4.., seeded with CRC-32C(u32 file tag ‖ u64 offset)
 *        4   1  flags: bit 0 left child, bit 1 right child
 *        5   4  priority (the key's leading 30 bits of prio, MERKLE.md 1.2)
 *        9  32  value hash
 *       41  32  left child's node hash, if any; then the right child's, if any
 *        …      per child: u64 reference, varint record length, varint subtree size
 *        …      varint key length, key, varint value length, value
 *
 * A reference is u64: bits 0..47 the offset, bits 48..63 the file's index in
 * the chain. The file tag is the file's sequence number modulo 2^32: a record
 * read at the wrong offset or from the wrong file fails its checksum.
 */
import { readU32LE, readU64LE, varintLength, writeU32LE, writeU64LE, writeVarint } from '../bytes'
import { crc32c } from '../checksum'
import type { Result } from '../result'
import { writeNodeHash, writeValueHashOf } from '../tree/cached-digests'
import type { TreeNode } from '../tree/node'
import { SNAPSHOT_MAGIC } from '../snapshot/format'

/** The snapshot format version of tree images. */
export const IMAGE_VERSION = 2
/** Size of the header block; records start here. */
export const IMAGE_HEADER_SIZE = 4096
/** The most files a chain may list (what the header block holds). */
export const MAX_CHAIN = Math.floor((IMAGE_HEADER_SIZE - 4 - 180) / 8)
/** Bytes of a record before its child hashes. */
export const RECORD_HASHES_AT = 41
/** The largest offset a reference holds. */
const OFFSET_LIMIT = 2 ** 48

/** What kind of image a file is. */
export type ImageKind = 'base' | 'delta'

/** Where a node's record is: its file's index in the chain, offset and length. */
export interface RecordRef {
  file: number
  at: number
  len: number
}

/** The decoded header of an image file. */
export interface ImageHeader {
  identity: Uint8Array
  seq: number
  count: number
  root: Uint8Array
  kind: ImageKind
  /** Sequence numbers of the files this one refers to, index 0 first; this file's index is their count. */
  chain: number[]
  /** The top node, or null when the state has no entries. */
  top: (RecordRef & { hash: Uint8Array }) | null
  /** Where the records end. */
  end: number
}

/** Encodes a header block. */
export function encodeImageHeader (h: ImageHeader): Uint8Array {
  if (h.chain.length > MAX_CHAIN) throw new RangeError(`an image chain holds at most ${MAX_CHAIN} files`)
  const buf = new Uint8Array(IMAGE_HEADER_SIZE)
  buf.set(SNAPSHOT_MAGIC, 0)
  writeU32LE(buf, 8, IMAGE_VERSION)
  buf.set(h.identity, 12)
  writeU64LE(buf, 76, h.seq)
  writeU64LE(buf, 84, h.count)
  buf.set(h.root, 92)
  buf[124] = h.kind === 'base' ? 1 : 2
  buf[126] = h.chain.length & 0xff
  buf[127] = h.chain.length >>> 8
  if (h.top !== null) {
    writeU64LE(buf, 128, refBits(h.top.file, h.top.at))
    writeU32LE(buf, 136, h.top.len)
    buf.set(h.top.hash, 140)
  }
  writeU64LE(buf, 172, h.end)
  for (let i = 0; i < h.chain.length; i++) writeU64LE(buf, 180 + 8 * i, h.chain[i])
  writeU32LE(buf, IMAGE_HEADER_SIZE - 4, crc32c(buf.subarray(0, IMAGE_HEADER_SIZE - 4)))
  return buf
}

/** Decodes a header block (after the caller saw version 2), or says why it is not one. */
export function decodeImageHeader (bytes: Uint8Array): Result<{ header: ImageHeader }> {
  if (bytes.length < IMAGE_HEADER_SIZE) return { ok: false, problem: 'file shorter than an image header' }
  for (let i = 0; i < SNAPSHOT_MAGIC.length; i++) if (bytes[i] !== SNAPSHOT_MAGIC[i]) return { ok: false, problem: 'not a snapshot file (magic)' }
  if (crc32c(bytes.subarray(0, IMAGE_HEADER_SIZE - 4)) !== readU32LE(bytes, IMAGE_HEADER_SIZE - 4)) return { ok: false, problem: 'image header checksum mismatch' }
  if (readU32LE(bytes, 8) !== IMAGE_VERSION) return { ok: false, problem: `unsupported snapshot version ${readU32LE(bytes, 8)}` }
  const kindByte = bytes[124]
  if (kindByte !== 1 && kindByte !== 2) return { ok: false, problem: `unknown image kind ${kindByte}` }
  const seq = readU64LE(bytes, 76)
  const count = readU64LE(bytes, 84)
  const end = readU64LE(bytes, 172)
  const length = bytes[126] | (bytes[127] << 8)
  if (seq < 0 || count < 0 || end < IMAGE_HEADER_SIZE || length > MAX_CHAIN) return { ok: false, problem: 'image header numbers out of range' }
  if (kindByte === 1 && length !== 0) return { ok: false, problem: 'a base image refers to other files' }
  const chain: number[] = []
  for (let i = 0; i < length; i++) {
    const s = readU64LE(bytes, 180 + 8 * i)
    if (s < 0 || s > seq || (i > 0 && s <= chain[i - 1])) return { ok: false, problem: 'image chain out of order' }
    chain.push(s)
  }
  let top: ImageHeader['top'] = null
  if (count > 0) {
    const ref = splitRef(readU64LE(bytes, 128))
    const len = readU32LE(bytes, 136)
    if (ref === null || ref.file > length || len < RECORD_HASHES_AT) return { ok: false, problem: 'image top reference out of range' }
    top = { ...ref, len, hash: bytes.slice(140, 172) }
  }
  return {
    ok: true,
    header: { identity: bytes.slice(12, 76), seq, count, root: bytes.slice(92, 124), kind: kindByte === 1 ? 'base' : 'delta', chain, top, end }
  }
}

/** The u64 of a reference. */
export function refBits (file: number, at: number): number {
  if (at < 0 || at >= OFFSET_LIMIT || !Number.isInteger(at)) throw new RangeError(`record offset ${at} out of range`)
  return file * OFFSET_LIMIT + at
}

/** A reference's file index and offset, or null when it is not a safe integer. */
export function splitRef (bits: number): { file: number, at: number } | null {
  if (bits < 0 || !Number.isSafeInteger(bits)) return null
  const file = Math.floor(bits / OFFSET_LIMIT)
  return { file, at: bits - file * OFFSET_LIMIT }
}

/** Writes the 12 bytes a record's checksum is seeded with (u32 file tag, u64 offset) at `p` of `out`. */
export function writeSeedBytes (out: Uint8Array, p: number, tag: number, at: number): void {
  writeU32LE(out, p, tag >>> 0)
  writeU64LE(out, p + 4, at)
}

// The seed bytes of recordSeed, in one buffer for every call: a new small array each time was
// moved off the heap by the native checksum at every call (docs/PERFORMANCE.md).
const seedScratch = Buffer.allocUnsafeSlow(12)

/** The checksum seed of the record at `at` of the file tagged `tag`. */
export function recordSeed (tag: number, at: number): number {
  writeSeedBytes(seedScratch, 0, tag, at)
  return crc32c(seedScratch)
}

/** The file tag of the image of sequence number `seq`. */
export function fileTag (seq: number): number {
  return seq % 2 ** 32
}

/** A child as a record refers to it: where its record is, its subtree's size, and the node (for its hash). */
export interface ChildRef extends RecordRef {
  size: number
  node: TreeNode
}

/** A node as a record holds it: its key, value, priority and value hash, and its children's references. */
export interface NodeRecord {
  node: TreeNode
  left: ChildRef | null
  right: ChildRef | null
}

// Bytes a child takes in its parent's record.
function childLength (c: ChildRef | null): number {
  return c === null ? 0 : 32 + 8 + varintLength(c.len) + varintLength(c.size)
}

/** The length of a node's record. */
export function recordLength (r: NodeRecord): number {
  const { key, value } = r.node
  return RECORD_HASHES_AT + varintLength(key.length) + key.length + varintLength(value.length) + value.length + childLength(r.left) + childLength(r.right)
}

// Writes a child's reference, record length and subtree size at `p`; returns the position after.
function writeChild (out: Uint8Array, p: number, c: ChildRef): number {
  writeU64LE(out, p, refBits(c.file, c.at))
  p = writeVarint(out, p + 8, c.len)
  return writeVarint(out, p, c.size)
}

/**
 * Encodes a record into `out` (of exactly {@link recordLength} bytes) for
 * offset `at` of the file tagged `tag`; the node's and its children's hashes
 * must be computed.
 */
export function encodeRecord (r: NodeRecord, out: Uint8Array, tag: number, at: number): void {
  const { node, left, right } = r
  out[4] = (left !== null ? 1 : 0) | (right !== null ? 2 : 0)
  writeU32LE(out, 5, node.prio)
  writeValueHashOf(node, out, 9)
  let p = RECORD_HASHES_AT
  if (left !== null) { writeNodeHash(left.node, out, p); p += 32 }
  if (right !== null) { writeNodeHash(right.node, out, p); p += 32 }
  if (left !== null) p = writeChild(out, p, left)
  if (right !== null) p = writeChild(out, p, right)
  const { key, value } = node
  p = writeVarint(out, p, key.length)
  out.set(key, p)
  p = writeVarint(out, p + key.length, value.length)
  out.set(value, p)
  writeU32LE(out, 0, crc32c(out.subarray(4), recordSeed(tag, at)))
}

/**
 * A record's fields as {@link decodeRecord} leaves them: numbers only, positions
 * in the bytes it decoded, so that decoding allocates nothing (the reader keeps
 * one and decodes every record into it). Children's hashes stay in place, at
 * RECORD_HASHES_AT of the record.
 */
export class RecordFields {
  prio = 0
  hasLeft = false
  hasRight = false
  leftFile = 0
  leftAt = 0
  leftLen = 0
  leftSize = 0
  rightFile = 0
  rightAt = 0
  rightLen = 0
  rightSize = 0
  /** The key is bytes[keyStart, keyEnd), the value bytes[valueStart, valueEnd). */
  keyStart = 0
  keyEnd = 0
  valueStart = 0
  valueEnd = 0
  // Where the next field starts, while decoding.
  pos = 0
}

/**
 * Decodes the record at `bytes[start, end)`, whose checksum the caller has
 * checked (see {@link recordSeed}), into `out`, checking that every field lies
 * inside it; returns null, or says why it is not a record.
 */
export function decodeRecord (bytes: Uint8Array, start: number, end: number, out: RecordFields): string | null {
  if (end - start < RECORD_HASHES_AT) return 'record shorter than its fixed fields'
  const flags = bytes[start + 4]
  if ((flags & ~3) !== 0) return `record flags ${flags} unknown`
  const hasLeft = (flags & 1) !== 0
  const hasRight = (flags & 2) !== 0
  out.hasLeft = hasLeft
  out.hasRight = hasRight
  out.pos = start + RECORD_HASHES_AT + 32 * ((hasLeft ? 1 : 0) + (hasRight ? 1 : 0))
  if (out.pos > end) return 'record shorter than its child hashes'
  if (hasLeft) {
    if (!readChild(bytes, end, out)) return 'record left reference malformed'
    out.leftFile = out.rightFile
    out.leftAt = out.rightAt
    out.leftLen = out.rightLen
    out.leftSize = out.rightSize
  }
  if (hasRight && !readChild(bytes, end, out)) return 'record right reference malformed'
  const keyLength = varintAt(bytes, end, out)
  if (keyLength < 0 || keyLength > end - out.pos) return 'record key or value malformed'
  out.keyStart = out.pos
  out.keyEnd = out.pos += keyLength
  const valueLength = varintAt(bytes, end, out)
  if (valueLength < 0 || valueLength !== end - out.pos) return 'record key or value malformed'
  out.valueStart = out.pos
  out.valueEnd = end
  out.prio = readU32LE(bytes, start + 5)
  return null
}

// Reads a child's reference, record length and subtree size at out.pos into out's right* fields
// (decodeRecord moves a left child's over); false when malformed.
function readChild (bytes: Uint8Array, end: number, out: RecordFields): boolean {
  if (end - out.pos < 8) return false
  const bits = readU64LE(bytes, out.pos)
  out.pos += 8
  const len = varintAt(bytes, end, out)
  const size = varintAt(bytes, end, out)
  if (bits < 0 || !Number.isSafeInteger(bits) || len < RECORD_HASHES_AT || size <= 0) return false
  const file = Math.floor(bits / OFFSET_LIMIT)
  out.rightFile = file
  out.rightAt = bits - file * OFFSET_LIMIT
  out.rightLen = len
  out.rightSize = size
  return true
}

// A LEB128 varint at out.pos (as ByteReader.varint: at most 5 bytes, minimal, below 2^32), or -1
// when malformed or past `end`; moves out.pos past it.
function varintAt (bytes: Uint8Array, end: number, out: RecordFields): number {
  let p = out.pos
  let result = 0
  let scale = 1
  for (let i = 0; i < 5; i++) {
    if (p >= end) return -1
    const byte = bytes[p++]
    result += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) {
      out.pos = p
      if (byte === 0 && i > 0) return -1
      return result <= 0xffffffff ? result : -1
    }
    scale *= 128
  }
  return -1
}
