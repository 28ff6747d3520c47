/**
 * Reads a snapshot of any size through a window of the file at a time: no
 * one buffer holds the whole file (Node's largest is 4 GiB, and
 * `fs.readFile` stops at 2 GiB). It checks what reader.ts checks, in the
 * same order of precedence, and reports damage with the same strings.
 *
 * The window moves forward over the body. An entry that lies within the
 * window is handed over as views of it, as reader.ts hands views of the
 * whole file; one that crosses the window's end starts the next window;
 * one longer than a window gets a buffer of its own. The body checksum
 * is computed over the bytes as they arrive, each byte once. Entries are
 * handed over as they are read, before the body checksum is known: when the
 * outcome is a problem, the caller drops what it was given.
 *
 * Damage is a string, as in reader.ts; a failed read, a file that changes
 * while being read, or memory that cannot be had for an entry is thrown, a
 * coded error naming the file.
 */
import { ByteReader } from '../bytes'
import { crc32c } from '../checksum'
import { ioError } from '../errors'
import { SNAPSHOT_FOOTER_SIZE, SNAPSHOT_HEADER_SIZE, decodeSnapshotHeader } from './format'
import { EntryCheck, checkFooter } from './reader'
import type { SnapshotRead } from './reader'

/** Bytes read at a time. Entries longer than this get a buffer of their own. */
export const SNAPSHOT_WINDOW_SIZE = 64 * 1024 * 1024

/** The smallest window: it must hold the longest varint (5 bytes) and then some. */
export const MIN_WINDOW_SIZE = 16

/** A file to read a snapshot from: its name (for errors), its size and positioned reads. */
export interface SnapshotSource {
  readonly path: string
  readonly size: number
  /** As FileHandle.read: `buffer.length` bytes at `position`, fewer only where the file ends. */
  read: (buffer: Uint8Array, position: number) => Promise<number>
}

/** Validates the snapshot in `file` as readSnapshot (reader.ts) does, calling `onEntry` for each entry in order. */
export async function readSnapshotInWindows (
  file: SnapshotSource, onEntry: (key: Uint8Array, value: Uint8Array) => void, windowSize = SNAPSHOT_WINDOW_SIZE
): Promise<SnapshotRead> {
  if (!Number.isSafeInteger(windowSize) || windowSize < MIN_WINDOW_SIZE) throw new RangeError(`window size must be an integer of at least ${MIN_WINDOW_SIZE}`)
  const decoded = decodeSnapshotHeader(await readAt(file, 0, Math.min(file.size, SNAPSHOT_HEADER_SIZE)))
  if (!decoded.ok) return decoded
  const { header } = decoded
  if (file.size < SNAPSHOT_HEADER_SIZE + SNAPSHOT_FOOTER_SIZE) return { ok: false, problem: 'file too short for a footer' }
  const bodyEnd = file.size - SNAPSHOT_FOOTER_SIZE
  const checked = checkFooter(header, await readAt(file, bodyEnd, SNAPSHOT_FOOTER_SIZE))
  if (!checked.ok) return checked
  const { footer } = checked

  const body = new WindowedBody(file, bodyEnd, windowSize)
  const check = new EntryCheck(header.count)
  let problem: string | null = null
  while (problem === null && body.position < bodyEnd) {
    problem = body.entriesInWindow(check, onEntry)
    if (problem === null && body.position < bodyEnd) problem = await body.entryAcross(check, onEntry)
  }
  // Damaged bytes are reported as a checksum mismatch, as when the file is read whole, whatever
  // the parse made of them: the rest of the body is read for its checksum.
  if (await body.checksum() !== footer.bodyCrc) return { ok: false, problem: 'body checksum mismatch' }
  problem ??= check.end()
  return problem === null ? { ok: true, header } : { ok: false, problem }
}

// The body [SNAPSHOT_HEADER_SIZE, end) of a snapshot, read window by window. The window holds the
// file's bytes [start, start + window.length); every byte before its end was read, and added to
// the checksum, once. Entries are parsed from `position`, which lies within the window or at its end.
class WindowedBody {
  position = SNAPSHOT_HEADER_SIZE
  #window: Uint8Array = new Uint8Array(0)
  #start = SNAPSHOT_HEADER_SIZE
  #crc = 0

  constructor (readonly file: SnapshotSource, readonly end: number, readonly windowSize: number) {}

  /** Hands over the entries that lie whole in the window from `position` on, as views of it. */
  entriesInWindow (check: EntryCheck, onEntry: (key: Uint8Array, value: Uint8Array) => void): string | null {
    const reader = new ByteReader(this.#window, this.position - this.#start)
    try {
      while (reader.remaining > 0) {
        const from = reader.offset
        const key = reader.lengthPrefixed()
        const value = key === null ? null : reader.lengthPrefixed()
        if (key === null || value === null) {
          // Cut by the window's end, or malformed: entryAcross tells which.
          reader.offset = from
          return null
        }
        const problem = check.next(key)
        if (problem !== null) return problem
        onEntry(key, value)
      }
      return null
    } finally {
      this.position = this.#start + reader.offset
    }
  }

  /** Hands over the entry at `position`, which the window does not hold whole. */
  async entryAcross (check: EntryCheck, onEntry: (key: Uint8Array, value: Uint8Array) => void): Promise<string | null> {
    const key = await this.#lengthPrefixed()
    const value = key === null ? null : await this.#lengthPrefixed()
    if (key === null || value === null) return check.malformed()
    const problem = check.next(key)
    if (problem !== null) return problem
    onEntry(key, value)
    return null
  }

  /** Reads what remains of the body for the checksum, and returns the checksum of the whole body. */
  async checksum (): Promise<number> {
    const done = this.#start + this.#window.length
    const chunk = allocate(Math.min(this.windowSize, this.end - done), this.file)
    for (let at = done; at < this.end; at += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, this.end - at))
      await this.#read(part, at)
    }
    return this.#crc
  }

  // A varint length and that many bytes, as ByteReader.lengthPrefixed reads them from the whole
  // body (a varint has at most 5 bytes); null when malformed.
  async #lengthPrefixed (): Promise<Uint8Array | null> {
    const reader = new ByteReader(await this.#peek(Math.min(5, this.end - this.position)))
    const length = reader.varint()
    if (length === null || length > this.end - this.position - reader.offset) return null
    this.position += reader.offset
    return await this.#take(length)
  }

  // The `length` bytes at `position` (at most a window's), without moving on.
  async #peek (length: number): Promise<Uint8Array> {
    if (this.position + length > this.#start + this.#window.length) await this.#moveWindow()
    const at = this.position - this.#start
    return this.#window.subarray(at, at + length)
  }

  // The `length` bytes at `position`, which the body holds; moves past them.
  async #take (length: number): Promise<Uint8Array> {
    if (length > this.windowSize) return await this.#takeCopy(length)
    const bytes = await this.#peek(length)
    this.position += length
    return bytes
  }

  // Starts the window at `position`: what the old one holds from there is copied, the rest read.
  async #moveWindow (): Promise<void> {
    const kept = this.#window.subarray(this.position - this.#start)
    const window = allocate(Math.min(this.windowSize, this.end - this.position), this.file)
    window.set(kept)
    await this.#read(window.subarray(kept.length), this.#start + this.#window.length)
    this.#window = window
    this.#start = this.position
  }

  // Bytes longer than a window, in a buffer of their own; the next window starts after them.
  async #takeCopy (length: number): Promise<Uint8Array> {
    const kept = this.#window.subarray(this.position - this.#start)
    const copy = allocate(length, this.file)
    copy.set(kept)
    await this.#read(copy.subarray(kept.length), this.#start + this.#window.length)
    this.position += length
    this.#window = new Uint8Array(0)
    this.#start = this.position
    return copy
  }

  // Fills `into` from the file at `at` (the first byte not yet read) and adds it to the checksum.
  async #read (into: Uint8Array, at: number): Promise<void> {
    await readInto(this.file, into, at)
    this.#crc = crc32c(into, this.#crc)
  }
}

async function readAt (file: SnapshotSource, position: number, length: number): Promise<Uint8Array> {
  const bytes = allocate(length, file)
  await readInto(file, bytes, position)
  return bytes
}

// The size was taken when the file was opened: a file that ends sooner changed meanwhile.
async function readInto (file: SnapshotSource, into: Uint8Array, position: number): Promise<void> {
  let n: number
  try {
    n = await file.read(into, position)
  } catch (err) {
    throw ioError(`Reading snapshot ${file.path} failed: ${(err as Error).message}`, err)
  }
  if (n < into.length) throw ioError(`Snapshot ${file.path} ends at ${position + n} bytes, not ${file.size}: it changed while being read`)
}

function allocate (length: number, file: SnapshotSource): Uint8Array {
  try {
    return new Uint8Array(length)
  } catch (err) {
    throw ioError(`No memory for ${length} bytes of snapshot ${file.path}`, err)
  }
}
