/**
 * The snapshot file format (docs/FORMAT.md has the full specification).
 * A snapshot is the whole state at one sequence number: a header, the
 * entries in strictly ascending key order, and a footer.
 *
 *     header (128 bytes, little-endian integers)
 *       0   8  magic 89 4D 4C 53 4E 41 50 0A  ("\x89MLSNAP\n")
 *       8   4  format version (1)
 *      12  64  identity: opaque bytes that name the database
 *      76   8  sequence number of the last batch the state includes
 *      84   8  number of entries
 *      92  32  Merkle root of the state
 *     124   4  CRC-32C of bytes 0..123
 *
 *     entry: varint keyLength, key, varint valueLength, value  (LEB128 varints)
 *
 *     footer (24 bytes)
 *       0   8  magic "MLSNPEND"
 *       8   8  number of entries (again)
 *      16   4  CRC-32C of all entry bytes
 *      20   4  CRC-32C of footer bytes 0..19
 */
import { readU32LE, readU64LE, writeU32LE, writeU64LE } from '../bytes'
import { crc32c } from '../checksum'
import type { Result } from '../result'

/** "\x89MLSNAP\n" */
export const SNAPSHOT_MAGIC = Uint8Array.of(0x89, 0x4d, 0x4c, 0x53, 0x4e, 0x41, 0x50, 0x0a)
/** "MLSNPEND" */
export const FOOTER_MAGIC = new TextEncoder().encode('MLSNPEND')
/** Current snapshot format version. */
export const SNAPSHOT_VERSION = 1
/** Size of the header. */
export const SNAPSHOT_HEADER_SIZE = 128
/** Size of the footer. */
export const SNAPSHOT_FOOTER_SIZE = 24
/** Size of the identity field. */
export const SNAPSHOT_IDENTITY_LENGTH = 64

/** The decoded header of a snapshot. */
export interface SnapshotHeader {
  identity: Uint8Array
  seq: number
  count: number
  root: Uint8Array
}

/** Encodes a snapshot header. */
export function encodeSnapshotHeader (header: SnapshotHeader): Uint8Array {
  if (header.identity.length !== SNAPSHOT_IDENTITY_LENGTH) throw new RangeError('identity must be 64 bytes')
  if (header.root.length !== 32) throw new RangeError('root must be 32 bytes')
  const buf = new Uint8Array(SNAPSHOT_HEADER_SIZE)
  buf.set(SNAPSHOT_MAGIC, 0)
  writeU32LE(buf, 8, SNAPSHOT_VERSION)
  buf.set(header.identity, 12)
  writeU64LE(buf, 76, header.seq)
  writeU64LE(buf, 84, header.count)
  buf.set(header.root, 92)
  writeU32LE(buf, 124, crc32c(buf.subarray(0, 124)))
  return buf
}

/** Decodes a snapshot header, or says why it is not one. */
export function decodeSnapshotHeader (bytes: Uint8Array): Result<{ header: SnapshotHeader }> {
  if (bytes.length < SNAPSHOT_HEADER_SIZE) return { ok: false, problem: 'file shorter than a snapshot header' }
  for (let i = 0; i < SNAPSHOT_MAGIC.length; i++) if (bytes[i] !== SNAPSHOT_MAGIC[i]) return { ok: false, problem: 'not a snapshot file (magic)' }
  if (crc32c(bytes.subarray(0, 124)) !== readU32LE(bytes, 124)) return { ok: false, problem: 'header checksum mismatch' }
  if (readU32LE(bytes, 8) !== SNAPSHOT_VERSION) return { ok: false, problem: `unsupported snapshot version ${readU32LE(bytes, 8)}` }
  const seq = readU64LE(bytes, 76)
  const count = readU64LE(bytes, 84)
  if (seq < 0 || count < 0) return { ok: false, problem: 'header numbers out of range' }
  return { ok: true, header: { identity: bytes.slice(12, 12 + SNAPSHOT_IDENTITY_LENGTH), seq, count, root: bytes.slice(92, 124) } }
}

/** Encodes the footer. */
export function encodeFooter (count: number, bodyCrc: number): Uint8Array {
  const buf = new Uint8Array(SNAPSHOT_FOOTER_SIZE)
  buf.set(FOOTER_MAGIC, 0)
  writeU64LE(buf, 8, count)
  writeU32LE(buf, 16, bodyCrc)
  writeU32LE(buf, 20, crc32c(buf.subarray(0, 20)))
  return buf
}

/** The decoded footer of a snapshot. */
export interface SnapshotFooter {
  count: number
  bodyCrc: number
}

/** Decodes the footer, or says why it is not one. */
export function decodeFooter (bytes: Uint8Array): Result<{ footer: SnapshotFooter }> {
  for (let i = 0; i < FOOTER_MAGIC.length; i++) if (bytes[i] !== FOOTER_MAGIC[i]) return { ok: false, problem: 'footer missing (truncated file?)' }
  if (crc32c(bytes.subarray(0, 20)) !== readU32LE(bytes, 20)) return { ok: false, problem: 'footer checksum mismatch' }
  const count = readU64LE(bytes, 8)
  if (count < 0) return { ok: false, problem: 'footer count out of range' }
  return { ok: true, footer: { count, bodyCrc: readU32LE(bytes, 16) } }
}
