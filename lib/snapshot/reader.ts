/**
 * Reads and validates a snapshot file: header and footer checksums, the body
 * checksum, every entry length against the bytes that remain, strictly
 * ascending keys and the entry count. Entries are handed to the caller as
 * views into the file's bytes; the caller rebuilds the tree and checks the
 * root. Any failure is described by a string, never thrown.
 *
 * {@link readEntrySpans} is the lighter pass a worker thread runs over the
 * same bytes at the same time: where each entry lies, and nothing else.
 */
import { ByteReader, compareBytes } from '../bytes'
import { crc32c } from '../checksum'
import { SNAPSHOT_FOOTER_SIZE, SNAPSHOT_HEADER_SIZE, decodeFooter, decodeSnapshotHeader } from './format'
import type { SnapshotFooter, SnapshotHeader } from './format'
import type { Result } from '../result'

/** The outcome of reading a snapshot. */
export type SnapshotRead = Result<{ header: SnapshotHeader }>

/** Validates a whole snapshot and calls `onEntry` for each entry in order. */
export function readSnapshot (bytes: Uint8Array, onEntry: (key: Uint8Array, value: Uint8Array) => void): SnapshotRead {
  const decoded = decodeSnapshotHeader(bytes)
  if (!decoded.ok) return decoded
  const { header } = decoded
  if (bytes.length < SNAPSHOT_HEADER_SIZE + SNAPSHOT_FOOTER_SIZE) return { ok: false, problem: 'file too short for a footer' }
  const bodyEnd = bytes.length - SNAPSHOT_FOOTER_SIZE
  const checked = checkFooter(header, bytes.subarray(bodyEnd))
  if (!checked.ok) return checked
  const { footer } = checked
  if (crc32c(bytes.subarray(SNAPSHOT_HEADER_SIZE, bodyEnd)) !== footer.bodyCrc) return { ok: false, problem: 'body checksum mismatch' }

  const reader = new ByteReader(bytes, SNAPSHOT_HEADER_SIZE, bodyEnd)
  const check = new EntryCheck(header.count)
  while (reader.remaining > 0) {
    const key = reader.lengthPrefixed()
    const value = key === null ? null : reader.lengthPrefixed()
    if (key === null || value === null) return { ok: false, problem: check.malformed() }
    const problem = check.next(key)
    if (problem !== null) return { ok: false, problem }
    onEntry(key, value)
  }
  const problem = check.end()
  return problem === null ? { ok: true, header } : { ok: false, problem }
}

/** Decodes the footer and checks it against the header, or says why it is refused. */
export function checkFooter (header: SnapshotHeader, bytes: Uint8Array): Result<{ footer: SnapshotFooter }> {
  const decoded = decodeFooter(bytes)
  if (!decoded.ok) return decoded
  if (decoded.footer.count !== header.count) return { ok: false, problem: 'header and footer disagree on the entry count' }
  return decoded
}

/**
 * The checks of the entries' sequence that every way of reading a snapshot
 * makes alike (here, and in windows: window-reader.ts): strictly ascending
 * keys, and as many entries as the header counts.
 */
export class EntryCheck {
  #previous: Uint8Array | null = null
  #count = 0

  constructor (readonly expected: number) {}

  /** Why the next entry, whose key is `key`, is refused; null when it is accepted. */
  next (key: Uint8Array): string | null {
    if (this.#previous !== null && compareBytes(this.#previous, key) >= 0) return `keys out of order at entry ${this.#count}`
    if (++this.#count > this.expected) return 'more entries than the header says'
    this.#previous = key
    return null
  }

  /** The problem of an entry whose lengths or bytes are not all there. */
  malformed (): string {
    return `malformed entry ${this.#count}`
  }

  /** Why the entries seen make no whole snapshot; null when they do. */
  end (): string | null {
    return this.#count === this.expected ? null : `expected ${this.expected} entries, found ${this.#count}`
  }
}

/**
 * Where each of `count` entries lies in a snapshot whose header and footer
 * were validated: 4 numbers per entry (key offset, key length, value offset,
 * value length). Checks only what it needs to stay within the body; the
 * checksums and the key order are {@link readSnapshot}'s to check.
 */
export function readEntrySpans (bytes: Uint8Array, count: number): Result<{ spans: Uint32Array }> {
  if (bytes.length < SNAPSHOT_HEADER_SIZE + SNAPSHOT_FOOTER_SIZE) return { ok: false, problem: 'file too short for a footer' }
  const reader = new ByteReader(bytes, SNAPSHOT_HEADER_SIZE, bytes.length - SNAPSHOT_FOOTER_SIZE)
  const spans = new Uint32Array(4 * count)
  for (let i = 0; i < count; i++) {
    const key = reader.skipLengthPrefixed()
    const keyEnd = reader.offset
    const value = key < 0 ? -1 : reader.skipLengthPrefixed()
    if (value < 0) return { ok: false, problem: `malformed entry ${i}` }
    spans[4 * i] = key
    spans[4 * i + 1] = keyEnd - key
    spans[4 * i + 2] = value
    spans[4 * i + 3] = reader.offset - value
  }
  if (reader.remaining !== 0) return { ok: false, problem: `more than ${count} entries` }
  return { ok: true, spans }
}
