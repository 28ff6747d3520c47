/**
 * Reads a segment: validates its header, walks its frames and, at the first
 * frame that does not check out, looks at the valid frames after it. Like
 * LevelDB's log reader it only reports what it found; recovery (lib/store)
 * decides what a damaged tail means.
 *
 * A segment is read in windows (READ_WINDOW bytes, or one frame when a
 * frame is larger), so that a segment of any size can be read back, while
 * nothing larger than a window or a frame is ever allocated at once. The
 * walk itself is a generator that asks for byte ranges: the same code reads
 * a file window by window and a whole buffer in memory.
 */
import { lastNonZero } from '../bytes'
import type { FileHandle, FileSystem } from '../fs/file-system'
import { SEGMENT_HEADER_SIZE, WAL_VERSION_1, decodeSegmentHeader, frameHeaderAt, frameHeaderSize, framePayloadValid, saltSeed } from './format'
import type { HeaderProblem, SegmentHeader } from './format'
import type { Failure, Result, Success } from '../result'

/** Bytes a segment file is read by at once (a larger frame is read whole). */
export const READ_WINDOW = 64 * 1024 * 1024

/** A valid frame. */
export interface WalFrame {
  /** Offset of the frame (its header) in the segment. */
  offset: number
  /** The payload: a view into the bytes read, valid as long as it is kept. */
  payload: Uint8Array
}

/** Damage found in a segment. */
export interface SegmentDamage {
  /** Offset of the first byte that is not part of a valid frame. */
  offset: number
  /** True when a valid frame starts somewhere after `offset`. */
  validFrameAfter: boolean
  /**
   * True when a valid frame after `offset` records the damaged bytes as
   * having been durable when it was written: not bytes a power loss can have
   * left unwritten. Version 1 frames record nothing: any valid frame after
   * the damage counts.
   */
  durableAfter: boolean
  /** True when every byte from `offset` to the end is zero (a zero-filled tail). */
  zeroFilled: boolean
}

/** What walking a segment found. */
export type SegmentScan =
  | (Failure<HeaderProblem> & { length: number })
  | Success<{
    header: SegmentHeader
    /** Offset just past the last valid frame visited. */
    validEnd: number
    /** Set when bytes after `validEnd` are not valid frames (null when the walk was stopped). */
    damage: SegmentDamage | null
    /** True when the visitor stopped the walk (at `validEnd`: the frame it refused, or the end of the one it called the last). */
    stopped: boolean
    length: number
  }>

/** What reading a whole segment found: the walk and every valid frame. */
export type SegmentRead =
  | Extract<SegmentScan, { ok: false }>
  | (Extract<SegmentScan, { ok: true }> & { frames: WalFrame[] })

/**
 * Receives each valid frame, in order; returning false stops the walk there
 * (that frame is not counted as read), 'last' right after it (it is). It may
 * throw to abandon the walk.
 */
export type FrameVisitor = (frame: WalFrame) => boolean | 'last'

/** A request for the bytes at `at`, `length` of them (fewer where the file ends). */
interface ByteRequest { at: number, length: number }

type Walk<T> = Generator<ByteRequest, T, Uint8Array>

// The bytes read last: `bytes` holds the segment's bytes from offset `base`.
interface View { bytes: Uint8Array, base: number }

/** Parses a segment held whole in memory; `window` (for tests) reads it as if by windows. */
export function readSegment (bytes: Uint8Array, window = bytes.length): SegmentRead {
  const frames: WalFrame[] = []
  const walk = walkSegment(bytes.length, window, frame => { frames.push(frame); return true })
  let step = walk.next()
  while (step.done !== true) step = walk.next(bytes.subarray(step.value.at, step.value.at + step.value.length))
  const scan = step.value
  return scan.ok ? { ...scan, frames } : scan
}

/** Walks the segment file at `path`, window by window, handing each valid frame to `visit`. */
export async function scanSegmentFile (fs: FileSystem, path: string, visit: FrameVisitor, window = READ_WINDOW): Promise<SegmentScan> {
  const handle = await fs.open(path, 'read')
  try {
    return await scanSegmentHandle(handle, visit, window)
  } finally {
    await handle.close()
  }
}

/**
 * Walks an open segment file from offset `from` (the start of a frame, as
 * a walk's `validEnd` gives it; the first frame by default): a reader that
 * follows a segment being appended to goes on where it stopped.
 */
export async function scanSegmentHandle (handle: FileHandle, visit: FrameVisitor, window = READ_WINDOW, from = SEGMENT_HEADER_SIZE): Promise<SegmentScan> {
  const walk = walkSegment(await handle.size(), window, visit, from)
  let step = walk.next()
  while (step.done !== true) {
    // A file that shrank meanwhile reads as what is there: a torn tail.
    step = walk.next(await readAt(handle, step.value.at, step.value.length))
  }
  return step.value
}

/** The header of a segment file, or why it is unreadable; with the file's length either way. */
export type SegmentHeaderRead = Result<{ header: SegmentHeader }, HeaderProblem> & { length: number }

/** Reads the header of the segment file at `path` alone. */
export async function readSegmentHeader (fs: FileSystem, path: string): Promise<SegmentHeaderRead> {
  const handle = await fs.open(path, 'read')
  try {
    const length = await handle.size()
    return { ...decodeSegmentHeader(await readAt(handle, 0, Math.min(length, SEGMENT_HEADER_SIZE))), length }
  } finally {
    await handle.close()
  }
}

// Reads `length` bytes at `at` into a new buffer, fewer where the file ends.
async function readAt (handle: FileHandle, at: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length)
  const read = await handle.read(buffer, at)
  return read === length ? buffer : buffer.subarray(0, read)
}

// The walk over a segment of `size` bytes.
function * walkSegment (size: number, window: number, visit: FrameVisitor, from = SEGMENT_HEADER_SIZE): Walk<SegmentScan> {
  const view: View = { bytes: new Uint8Array(0), base: 0 }
  window = Math.max(window, 1)
  // Starting further on, the header alone is read: the window is read from where the frames are.
  yield * cover(view, 0, SEGMENT_HEADER_SIZE, size, from > SEGMENT_HEADER_SIZE ? SEGMENT_HEADER_SIZE : window)
  const decoded = decodeSegmentHeader(view.bytes.subarray(0, SEGMENT_HEADER_SIZE))
  if (!decoded.ok) return { ...decoded, length: size }
  const { header } = decoded
  const { version } = header
  const headerSize = frameHeaderSize(version)
  const seed = saltSeed(header.salt)
  let offset = Math.max(from, SEGMENT_HEADER_SIZE)
  while (offset < size) {
    if (!inView(view, offset, headerSize, size)) yield * cover(view, offset, headerSize, size, window)
    const frame = frameHeaderAt(view.bytes, offset - view.base, offset, version, seed)
    if (frame === null) break
    if (!inView(view, offset, headerSize + frame.length, size)) yield * cover(view, offset, headerSize + frame.length, size, window)
    const at = offset - view.base
    if (!framePayloadValid(view.bytes, at, frame.length, version, seed)) break
    const payload = view.bytes.subarray(at + headerSize, at + headerSize + frame.length)
    const verdict = visit({ offset, payload })
    if (verdict === false) return { ok: true, header, validEnd: offset, damage: null, stopped: true, length: size }
    offset += headerSize + frame.length
    if (verdict === 'last') return { ok: true, header, validEnd: offset, damage: null, stopped: true, length: size }
  }
  let damage: SegmentDamage | null = null
  if (offset < size) {
    // No frame starts after the last byte that is not zero (a zero durable mark is never valid;
    // version 1 drew no salt under which twelve zero bytes are a frame): the zeros the writer
    // filled ahead, up to 1 MiB after a torn write, are not searched offset by offset.
    const last = yield * lastNonZeroFrom(view, offset, size, window)
    const after = yield * framesAfter(view, offset, last, size, window, version, seed)
    damage = { offset, ...after, zeroFilled: last < offset }
  }
  return { ok: true, header, validEnd: offset, damage, stopped: false, length: size }
}

// Makes the bytes at `at .. at + length` (up to the file's end) part of the view, reading a new
// window from `at` when they are not: as long as the window, or the range when it is longer.
// Callers test inView first: the search after damage asks at every offset, and a generator per
// offset would cost far more than the test.
function * cover (view: View, at: number, length: number, size: number, window: number): Walk<void> {
  if (inView(view, at, length, size)) return
  view.bytes = yield { at, length: Math.min(Math.max(window, length), size - at) }
  view.base = at
}

function inView (view: View, at: number, length: number, size: number): boolean {
  return at >= view.base && Math.min(at + length, size) <= view.base + view.bytes.length
}

// The offset of the last byte from `from` on that is not zero, or from - 1; read from the end.
function * lastNonZeroFrom (view: View, from: number, size: number, window: number): Walk<number> {
  for (let end = size; end > from;) {
    const start = Math.max(from, end - window)
    yield * cover(view, start, end - start, size, window)
    const found = lastNonZero(view.bytes.subarray(start - view.base, end - view.base))
    if (found >= 0) return start + found
    end = start
  }
  return from - 1
}

// Looks for valid frames starting after the damage at `damaged`, up to `last`: whether there is
// one, and whether one records the damaged bytes as durable. A valid frame is stepped over whole.
function * framesAfter (
  view: View, damaged: number, last: number, size: number, window: number, version: number, seed: number
): Walk<{ validFrameAfter: boolean, durableAfter: boolean }> {
  const headerSize = frameHeaderSize(version)
  let validFrameAfter = false
  for (let at = damaged + 1; at <= last && at + headerSize <= size;) {
    if (!inView(view, at, headerSize, size)) yield * cover(view, at, headerSize, size, window)
    const frame = frameHeaderAt(view.bytes, at - view.base, at, version, seed)
    if (frame !== null) {
      yield * cover(view, at, headerSize + frame.length, size, window)
      if (framePayloadValid(view.bytes, at - view.base, frame.length, version, seed)) {
        validFrameAfter = true
        if (version === WAL_VERSION_1 || frame.durable > damaged) return { validFrameAfter, durableAfter: true }
        at += headerSize + frame.length
        continue
      }
    }
    at++
  }
  return { validFrameAfter, durableAfter: false }
}
