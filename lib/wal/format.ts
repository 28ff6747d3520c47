/**
 * The write-ahead log format (docs/FORMAT.md has the full specification).
 *
 * A log is a sequence of numbered segment files. Each starts with a 128-byte
 * header and continues with frames, each an opaque payload behind a frame
 * header:
 *
 *     segment header (128 bytes, little-endian integers)
 *       0   8  magic 89 4D 4C 57 41 4C 0D 0A  ("\x89MLWAL\r\n")
 *       8   4  format version (2; segments of version 1 are still read)
 *      12  64  identity: opaque bytes that name the database (same in every file)
 *      76   8  segment number
 *      84   8  first sequence number the segment's records continue from
 *      92   4  salt: random per segment, mixed into every frame checksum
 *      96  28  reserved, zero
 *     124   4  CRC-32C of bytes 0..123
 *
 *     frame (version 2)                    frame (version 1)
 *       0   4  payload length                0   4  payload length
 *       4   8  durable mark                  4   4  CRC-32C(salt ‖ payload)
 *      12   4  CRC-32C(salt ‖ payload)       8   4  CRC-32C(salt ‖ bytes 0..7)
 *      16   4  CRC-32C(salt ‖ bytes 0..15)  12   …  payload
 *      20   …  payload
 *
 * The frame header check lets a reader test any offset for "a frame starts
 * here" in constant time, which is how it finds valid frames after damage.
 * The durable mark (version 2) is how far the segment was known durable
 * (synced) when the frame was written: damage below a later frame's mark hit
 * bytes that had been durable (corruption); damage above every later mark
 * hit bytes that were never synced (a power loss wrote them out of order).
 * The per-segment salt makes frames of another segment or database fail
 * their checksums when spliced in.
 */
import { randomBytes } from 'node:crypto'
import { readU32LE, readU64LE, writeU32LE, writeU64LE } from '../bytes'
import { crc32c } from '../checksum'
import type { Result } from '../result'

/** "\x89MLWAL\r\n" */
export const SEGMENT_MAGIC = Uint8Array.of(0x89, 0x4d, 0x4c, 0x57, 0x41, 0x4c, 0x0d, 0x0a)
/** The segment format version this release writes. */
export const WAL_VERSION = 2
/** The first release's format: frames without a durable mark, read by the rules of that release. */
export const WAL_VERSION_1 = 1
/** Size of the segment header. */
export const SEGMENT_HEADER_SIZE = 128
/** Size of the identity field. */
export const IDENTITY_LENGTH = 64
/** Size of a frame header in the current version ({@link frameHeaderSize} for any version). */
export const FRAME_HEADER_SIZE = 20
/** Size of a frame header in version 1 segments. */
export const FRAME_HEADER_SIZE_V1 = 12
/** The largest payload a frame may carry (1 GiB); larger lengths are damage. */
export const MAX_PAYLOAD_LENGTH = 1 << 30

/** The decoded header of a segment. */
export interface SegmentHeader {
  /** Format version: {@link WAL_VERSION} or {@link WAL_VERSION_1}. */
  version: number
  identity: Uint8Array
  segment: number
  firstSeq: number
  salt: number
}

/** The size of a frame header in segments of `version`. */
export function frameHeaderSize (version: number): number {
  return version === WAL_VERSION_1 ? FRAME_HEADER_SIZE_V1 : FRAME_HEADER_SIZE
}

/** Encodes a segment header (of its own version: tests write version 1 segments). */
export function encodeSegmentHeader (header: SegmentHeader): Uint8Array {
  if (header.identity.length !== IDENTITY_LENGTH) throw new RangeError('identity must be 64 bytes')
  const buf = new Uint8Array(SEGMENT_HEADER_SIZE)
  buf.set(SEGMENT_MAGIC, 0)
  writeU32LE(buf, 8, header.version)
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
export function decodeSegmentHeader (bytes: Uint8Array): Result<{ header: SegmentHeader }, HeaderProblem> {
  if (bytes.length < SEGMENT_HEADER_SIZE) return { ok: false, problem: 'short' }
  for (let i = 0; i < SEGMENT_MAGIC.length; i++) if (bytes[i] !== SEGMENT_MAGIC[i]) return { ok: false, problem: 'magic' }
  if (crc32c(bytes.subarray(0, 124)) !== readU32LE(bytes, 124)) return { ok: false, problem: 'checksum' }
  const version = readU32LE(bytes, 8)
  if (version !== WAL_VERSION && version !== WAL_VERSION_1) return { ok: false, problem: 'version' }
  const segment = readU64LE(bytes, 76)
  const firstSeq = readU64LE(bytes, 84)
  if (segment < 0 || firstSeq < 1) return { ok: false, problem: 'checksum' }
  const header = { version, identity: bytes.slice(12, 12 + IDENTITY_LENGTH), segment, firstSeq, salt: readU32LE(bytes, 92) }
  return { ok: true, header }
}

function saltBytes (salt: number): Uint8Array {
  const b = new Uint8Array(4)
  writeU32LE(b, 0, salt)
  return b
}

/**
 * Writes the header of a current-version frame whose payload is already at
 * `frame + FRAME_HEADER_SIZE .. + length`; `durable` is the segment's durable
 * mark, `saltSeed` the segment's {@link saltSeed}, computed once per segment.
 */
export function sealFrame (buf: Uint8Array, frame: number, length: number, durable: number, saltSeed: number): void {
  writeU32LE(buf, frame, length)
  writeU64LE(buf, frame + 4, durable)
  writeU32LE(buf, frame + 12, crc32c(buf.subarray(frame + FRAME_HEADER_SIZE, frame + FRAME_HEADER_SIZE + length), saltSeed))
  writeU32LE(buf, frame + 16, crc32c(buf.subarray(frame, frame + 16), saltSeed))
}

/** Writes the header of a version 1 frame (only tests make version 1 segments now). */
export function sealFrameV1 (buf: Uint8Array, frame: number, length: number, saltSeed: number): void {
  writeU32LE(buf, frame, length)
  writeU32LE(buf, frame + 4, crc32c(buf.subarray(frame + FRAME_HEADER_SIZE_V1, frame + FRAME_HEADER_SIZE_V1 + length), saltSeed))
  writeU32LE(buf, frame + 8, crc32c(buf.subarray(frame, frame + 8), saltSeed))
}

/** A frame header that checks out: the payload still has to be checked. */
export interface FrameHeader {
  length: number
  /** The durable mark; 0 in version 1 frames, which have none. */
  durable: number
}

/**
 * Checks the frame header at `bytes[at]`, which lies at offset `position` of
 * its segment: null unless its checksum matches and its fields are possible
 * there (a length of at most 1 GiB; a durable mark from the segment header
 * up to the frame's own position, since only bytes before it can have been
 * synced when it was written).
 */
export function frameHeaderAt (bytes: Uint8Array, at: number, position: number, version: number, saltSeed: number): FrameHeader | null {
  if (version === WAL_VERSION_1) {
    if (bytes.length - at < FRAME_HEADER_SIZE_V1) return null
    if (crc32c(bytes.subarray(at, at + 8), saltSeed) !== readU32LE(bytes, at + 8)) return null
    const length = readU32LE(bytes, at)
    return length > MAX_PAYLOAD_LENGTH ? null : { length, durable: 0 }
  }
  if (bytes.length - at < FRAME_HEADER_SIZE) return null
  if (crc32c(bytes.subarray(at, at + 16), saltSeed) !== readU32LE(bytes, at + 16)) return null
  const length = readU32LE(bytes, at)
  const durable = readU64LE(bytes, at + 4)
  if (length > MAX_PAYLOAD_LENGTH || durable < SEGMENT_HEADER_SIZE || durable > position) return null
  return { length, durable }
}

/**
 * Whether the payload of the frame whose header `frameHeaderAt` accepted at
 * `bytes[at]` is all there and matches its checksum.
 */
export function framePayloadValid (bytes: Uint8Array, at: number, length: number, version: number, saltSeed: number): boolean {
  const headerSize = frameHeaderSize(version)
  if (length > bytes.length - at - headerSize) return false
  const payload = bytes.subarray(at + headerSize, at + headerSize + length)
  return crc32c(payload, saltSeed) === readU32LE(bytes, at + (version === WAL_VERSION_1 ? 4 : 12))
}

/**
 * A random salt for a new segment. In version 1, under about one salt in
 * 2^32, twelve zero bytes checked out as an empty frame; such salts were
 * never used, so that zeros after the last frame, which the writer fills
 * ahead of its frames, never read as frames. In version 2 a zero durable
 * mark is never valid, so zeros are never a frame under any salt.
 */
export function newSegmentSalt (): number {
  return randomBytes(4).readUInt32LE(0)
}

/** The CRC seed that mixes a segment's salt into its frame checksums. */
export function saltSeed (salt: number): number {
  return crc32c(saltBytes(salt))
}
