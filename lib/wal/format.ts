/**
 * The write-ahead log format (docs/FORMAT.md has the full specification).
 *
 * A log is a sequence of numbered segment files. Each starts with a 128-byte
 * header and continues with frames, each an opaque payload behind a 12-byte
 * frame header:
 *
 *     segment header (128 bytes, little-endian integers)
 *       0   8  magic 89 4D 4C 57 41 4C 0D 0A  ("\x89MLWAL\r\n")
 *       8   4  format version (1)
 *      12  64  identity: opaque bytes that name the database (same in every file)
 *      76   8  segment number
 *      84   8  first sequence number the segment's records continue from
 *      92   4  salt: random per segment, mixed into every frame checksum
 *      96  28  reserved, zero
 *     124   4  CRC-32C of bytes 0..123
 *
 *     frame
 *       0   4  payload length
 *       4   4  CRC-32C(salt ‖ payload)
 *       8   4  CRC-32C(salt ‖ bytes 0..7 of this frame)
 *      12   …  payload
 *
 * The frame header check lets a reader test any offset for "a frame starts
 * here" in constant time, which is how it tells a torn tail from damage that
 * is followed by valid frames. The per-segment salt makes frames of another
 * segment or database fail their checksums when spliced in.
 */
import { randomBytes } from 'node:crypto'
import { readU32LE, readU64LE, writeU32LE, writeU64LE } from '../bytes'
import { crc32c } from '../checksum'

/** "\x89MLWAL\r\n" */
export const SEGMENT_MAGIC = Uint8Array.of(0x89, 0x4d, 0x4c, 0x57, 0x41, 0x4c, 0x0d, 0x0a)
/** Current segment format version. */
export const WAL_VERSION = 1
/** Size of the segment header. */
export const SEGMENT_HEADER_SIZE = 128
/** Size of the identity field. */
export const IDENTITY_LENGTH = 64
/** Size of a frame header. */
export const FRAME_HEADER_SIZE = 12
/** The largest payload a frame may carry (1 GiB); larger lengths are damage. */
export const MAX_PAYLOAD_LENGTH = 1 << 30

/** The decoded header of a segment. */
export interface SegmentHeader {
  identity: Uint8Array
  segment: number
  firstSeq: number
  salt: number
}

/** Encodes a segment header. */
export function encodeSegmentHeader (header: SegmentHeader): Uint8Array {
  if (header.identity.length !== IDENTITY_LENGTH) throw new RangeError('identity must be 64 bytes')
  const buf = new Uint8Array(SEGMENT_HEADER_SIZE)
  buf.set(SEGMENT_MAGIC, 0)
  writeU32LE(buf, 8, WAL_VERSION)
  buf.set(header.identity, 12)
  writeU64LE(buf, 76, header.segment)
  writeU64LE(buf, 84, header.firstSeq)
  writeU32LE(buf, 92, header.salt)
  writeU32LE(buf, 124, crc32c(buf.subarray(0, 124)))
  return buf
}

/** Why a segment header was refused. */
export type HeaderProblem = 'short' | 'magic' | 'checksum' | 'version'

/** Decodes a segment header, or says what is wrong with it. */
export function decodeSegmentHeader (bytes: Uint8Array): SegmentHeader | HeaderProblem {
  if (bytes.length < SEGMENT_HEADER_SIZE) return 'short'
  for (let i = 0; i < SEGMENT_MAGIC.length; i++) if (bytes[i] !== SEGMENT_MAGIC[i]) return 'magic'
  if (crc32c(bytes.subarray(0, 124)) !== readU32LE(bytes, 124)) return 'checksum'
  if (readU32LE(bytes, 8) !== WAL_VERSION) return 'version'
  const segment = readU64LE(bytes, 76)
  const firstSeq = readU64LE(bytes, 84)
  if (segment < 0 || firstSeq < 1) return 'checksum'
  return { identity: bytes.slice(12, 12 + IDENTITY_LENGTH), segment, firstSeq, salt: readU32LE(bytes, 92) }
}

function saltBytes (salt: number): Uint8Array {
  const b = new Uint8Array(4)
  writeU32LE(b, 0, salt)
  return b
}

/**
 * Writes the frame header for the payload at `frame + 12 .. + length` in
 * place; `saltSeed` is the segment's {@link saltSeed}, computed once per segment.
 */
export function sealFrame (buf: Uint8Array, frame: number, length: number, saltSeed: number): void {
  writeU32LE(buf, frame, length)
  writeU32LE(buf, frame + 4, crc32c(buf.subarray(frame + FRAME_HEADER_SIZE, frame + FRAME_HEADER_SIZE + length), saltSeed))
  writeU32LE(buf, frame + 8, crc32c(buf.subarray(frame, frame + 8), saltSeed))
}

/**
 * The payload length of a valid frame starting at `offset`, or -1 when no
 * valid frame starts there.
 */
export function frameAt (bytes: Uint8Array, offset: number, end: number, saltSeed: number): number {
  if (end - offset < FRAME_HEADER_SIZE) return -1
  if (crc32c(bytes.subarray(offset, offset + 8), saltSeed) !== readU32LE(bytes, offset + 8)) return -1
  const length = readU32LE(bytes, offset)
  if (length > MAX_PAYLOAD_LENGTH || length > end - offset - FRAME_HEADER_SIZE) return -1
  const payload = bytes.subarray(offset + FRAME_HEADER_SIZE, offset + FRAME_HEADER_SIZE + length)
  if (crc32c(payload, saltSeed) !== readU32LE(bytes, offset + 4)) return -1
  return length
}

/**
 * A random salt for a new segment. Under about one salt in 2^32, twelve zero
 * bytes would check out as an empty frame; such a salt is never used, so that
 * zeros after the last frame, which the writer fills ahead of its frames, can
 * never read as frames.
 */
export function newSegmentSalt (): number {
  for (;;) {
    const salt = randomBytes(4).readUInt32LE(0)
    if (frameAt(ZERO_FRAME, 0, ZERO_FRAME.length, saltSeed(salt)) < 0) return salt
  }
}

const ZERO_FRAME = new Uint8Array(FRAME_HEADER_SIZE)

/** The CRC seed that mixes a segment's salt into its frame checksums. */
export function saltSeed (salt: number): number {
  return crc32c(saltBytes(salt))
}
