/**
 * Reads a segment: validates its header, walks its frames and, at the first
 * frame that does not check out, looks for any valid frame after it. Like
 * LevelDB's log reader it only reports what it found; recovery (lib/store)
 * decides what a damaged tail means.
 */
import { lastNonZero } from '../bytes'
import { FRAME_HEADER_SIZE, SEGMENT_HEADER_SIZE, decodeSegmentHeader, frameAt, saltSeed } from './format'
import type { HeaderProblem, SegmentHeader } from './format'

/** Damage found in a segment. */
export interface SegmentDamage {
  /** Offset of the first byte that is not part of a valid frame. */
  offset: number
  /** True when a valid frame starts somewhere after `offset`: not a torn tail. */
  validFrameAfter: boolean
  /** True when every byte from `offset` to the end is zero (a zero-filled tail). */
  zeroFilled: boolean
}

/** What reading a segment found. */
export type SegmentRead =
  | { ok: false, problem: HeaderProblem, length: number }
  | {
    ok: true
    header: SegmentHeader
    /** Payloads of the valid frames, in order (views into the file's bytes). */
    payloads: Uint8Array[]
    /** Offset just past the last valid frame. */
    validEnd: number
    /** Set when bytes after `validEnd` are not valid frames. */
    damage: SegmentDamage | null
    length: number
  }

/** Parses a whole segment file. */
export function readSegment (bytes: Uint8Array): SegmentRead {
  const header = decodeSegmentHeader(bytes)
  if (typeof header === 'string') return { ok: false, problem: header, length: bytes.length }
  const seed = saltSeed(header.salt)
  const payloads: Uint8Array[] = []
  const end = bytes.length
  let offset = SEGMENT_HEADER_SIZE
  while (offset < end) {
    const length = frameAt(bytes, offset, end, seed)
    if (length < 0) break
    payloads.push(bytes.subarray(offset + FRAME_HEADER_SIZE, offset + FRAME_HEADER_SIZE + length))
    offset += FRAME_HEADER_SIZE + length
  }
  let damage: SegmentDamage | null = null
  if (offset < end) {
    // Twelve zero bytes are not a frame header (newSegmentSalt), so no frame starts after the
    // last byte that is not zero: the zeros the writer filled ahead, up to 1 MiB after a torn
    // write, are not searched offset by offset.
    const last = lastNonZero(bytes)
    damage = { offset, validFrameAfter: hasFrameAfter(bytes, offset + 1, last, seed), zeroFilled: last < offset }
  }
  return { ok: true, header, payloads, validEnd: offset, damage, length: end }
}

// Whether a valid frame starts at an offset from `from` to `last`.
function hasFrameAfter (bytes: Uint8Array, from: number, last: number, seed: number): boolean {
  for (let at = from; at <= last && at + FRAME_HEADER_SIZE <= bytes.length; at++) {
    if (frameAt(bytes, at, bytes.length, seed) >= 0) return true
  }
  return false
}
