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
import type { SnapshotHeader } from './format'

/** The outcome of reading a snapshot. */
export type SnapshotRead = { ok: true, header: SnapshotHeader } | { ok: false, problem: string }

/** Validates only the header of a snapshot. */
export function readSnapshotHeader (bytes: Uint8Array): SnapshotRead {
  const header = decodeSnapshotHeader(bytes)
  return typeof header === 'string' ? { ok: false, problem: header } : { ok: true, header }
}

/** Validates a whole snapshot and calls `onEntry` for each entry in order. */
export function readSnapshot (bytes: Uint8Array, onEntry: (key: Uint8Array, value: Uint8Array) => void): SnapshotRead {
  const header = decodeSnapshotHeader(bytes)
  if (typeof header === 'string') return { ok: false, problem: header }
  if (bytes.length < SNAPSHOT_HEADER_SIZE + SNAPSHOT_FOOTER_SIZE) return { ok: false, problem: 'file too short for a footer' }
  const bodyEnd = bytes.length - SNAPSHOT_FOOTER_SIZE
  const footer = decodeFooter(bytes.subarray(bodyEnd))
  if (typeof footer === 'string') return { ok: false, problem: footer }
  if (footer.count !== header.count) return { ok: false, problem: 'header and footer disagree on the entry count' }
  if (crc32c(bytes.subarray(SNAPSHOT_HEADER_SIZE, bodyEnd)) !== footer.bodyCrc) return { ok: false, problem: 'body checksum mismatch' }

  const reader = new ByteReader(bytes, SNAPSHOT_HEADER_SIZE, bodyEnd)
  let previous: Uint8Array | null = null
  let count = 0
  while (reader.remaining > 0) {
    const key = reader.lengthPrefixed()
    const value = key === null ? null : reader.lengthPrefixed()
    if (key === null || value === null) return { ok: false, problem: `malformed entry ${count}` }
    if (previous !== null && compareBytes(previous, key) >= 0) return { ok: false, problem: `keys out of order at entry ${count}` }
    if (++count > header.count) return { ok: false, problem: 'more entries than the header says' }
    onEntry(key, value)
    previous = key
  }
  if (count !== header.count) return { ok: false, problem: `expected ${header.count} entries, found ${count}` }
  return { ok: true, header }
}

/**
 * Where each of `count` entries lies in a snapshot whose header and footer
 * were validated: 4 numbers per entry (key offset, key length, value offset,
 * value length). Checks only what it needs to stay within the body; the
 * checksums and the key order are {@link readSnapshot}'s to check.
 */
export function readEntrySpans (bytes: Uint8Array, count: number): Uint32Array | string {
  if (bytes.length < SNAPSHOT_HEADER_SIZE + SNAPSHOT_FOOTER_SIZE) return 'file too short for a footer'
  const reader = new ByteReader(bytes, SNAPSHOT_HEADER_SIZE, bytes.length - SNAPSHOT_FOOTER_SIZE)
  const spans = new Uint32Array(4 * count)
  for (let i = 0; i < count; i++) {
    const key = reader.skipLengthPrefixed()
    const keyEnd = reader.offset
    const value = key < 0 ? -1 : reader.skipLengthPrefixed()
    if (value < 0) return `malformed entry ${i}`
    spans[4 * i] = key
    spans[4 * i + 1] = keyEnd - key
    spans[4 * i + 2] = value
    spans[4 * i + 3] = reader.offset - value
  }
  if (reader.remaining !== 0) return `more than ${count} entries`
  return spans
}
