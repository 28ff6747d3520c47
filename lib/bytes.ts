/**
 * Byte helpers shared by every layer: ordering, fixed-width integers and
 * LEB128 varints. Keys are compared as unsigned bytes, a prefix sorting first,
 * which is LevelDB's order and the order the Merkle tree commits to.
 */

/** Compares two byte strings lexicographically as unsigned bytes. */
export function compareBytes (a: Uint8Array, b: Uint8Array): number {
  if (a === b) return 0
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i]
    if (d !== 0) return d
  }
  return a.length - b.length
}

/**
 * The leading 30 bits of a key, missing bytes read as zero: a small integer
 * that orders keys coarsely. When two keys' prefixes differ, they compare as
 * their prefixes do (a key shorter than its prefix window pads with zeros, and
 * a zero-padded key is a prefix of every key it ties with up to there); when
 * they are equal, only the bytes decide. Trees keep it in each node, so that a
 * descent rarely has to reach the keys' bytes (two more objects per level).
 */
export function keyPrefix (key: Uint8Array): number {
  const n = key.length
  return ((n > 0 ? key[0] : 0) << 22) | ((n > 1 ? key[1] : 0) << 14) |
    ((n > 2 ? key[2] : 0) << 6) | ((n > 3 ? key[3] : 0) >>> 2)
}

/** Compares `key` (whose {@link keyPrefix} is `prefix`) with another key and its prefix. */
export function compareKeys (key: Uint8Array, prefix: number, other: Uint8Array, otherPrefix: number): number {
  return prefix !== otherPrefix ? prefix - otherPrefix : compareBytes(key, other)
}

/** True when the two byte strings are equal. */
export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  // Long arrays (whole files) are compared natively; short ones here, without making two Buffers.
  if (a.length > 256) return Buffer.compare(asBuffer(a), asBuffer(b)) === 0
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** True when every byte from `from` on is zero. */
export function isAllZero (bytes: Uint8Array, from = 0): boolean {
  return lastNonZero(bytes) < from
}

/** The index of the last byte that is not zero, or -1 when there is none. */
export function lastNonZero (bytes: Uint8Array): number {
  let i = bytes.length - 1
  while (i >= 0 && bytes[i] === 0) i--
  return i
}

function asBuffer (bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Lower-case hexadecimal of the bytes. */
export function toHex (bytes: Uint8Array): string {
  return asBuffer(bytes).toString('hex')
}

/** Parses lower- or upper-case hexadecimal; throws on anything else. */
export function fromHex (hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError('Not a hexadecimal string')
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

/** The largest sequence number the engine accepts: integers stay exact in a double. */
export const MAX_SAFE_SEQ = Number.MAX_SAFE_INTEGER

/** Writes `value` (an integer 0..2^53-1) as an unsigned 64-bit little-endian integer. */
export function writeU64LE (buf: Uint8Array, offset: number, value: number): void {
  const lo = value % 0x100000000
  const hi = (value - lo) / 0x100000000
  writeU32LE(buf, offset, lo)
  writeU32LE(buf, offset + 4, hi)
}

/** Reads an unsigned 64-bit little-endian integer; returns -1 when it exceeds 2^53-1. */
export function readU64LE (buf: Uint8Array, offset: number): number {
  const lo = readU32LE(buf, offset)
  const hi = readU32LE(buf, offset + 4)
  if (hi > 0x1fffff) return -1
  return hi * 0x100000000 + lo
}

/** Writes an unsigned 64-bit big-endian integer (values up to 2^53-1). */
export function writeU64BE (buf: Uint8Array, offset: number, value: number): void {
  const lo = value % 0x100000000
  const hi = (value - lo) / 0x100000000
  writeU32BE(buf, offset, hi)
  writeU32BE(buf, offset + 4, lo)
}

/** Writes an unsigned 32-bit little-endian integer. */
export function writeU32LE (buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value & 0xff
  buf[offset + 1] = (value >>> 8) & 0xff
  buf[offset + 2] = (value >>> 16) & 0xff
  buf[offset + 3] = (value >>> 24) & 0xff
}

/** Reads an unsigned 32-bit little-endian integer. */
export function readU32LE (buf: Uint8Array, offset: number): number {
  return (buf[offset] | (buf[offset + 1] << 8) | (buf[offset + 2] << 16)) + buf[offset + 3] * 0x1000000
}

/** Writes an unsigned 32-bit big-endian integer. */
export function writeU32BE (buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = (value >>> 24) & 0xff
  buf[offset + 1] = (value >>> 16) & 0xff
  buf[offset + 2] = (value >>> 8) & 0xff
  buf[offset + 3] = value & 0xff
}

/** Number of bytes the LEB128 varint encoding of `value` (0..2^32-1) takes. */
export function varintLength (value: number): number {
  if (value < 0x80) return 1
  if (value < 0x4000) return 2
  if (value < 0x200000) return 3
  if (value < 0x10000000) return 4
  return 5
}

/** Writes `value` (0..2^32-1) as a LEB128 varint and returns the new offset. */
export function writeVarint (buf: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    buf[offset++] = (value & 0x7f) | 0x80
    value = Math.floor(value / 128)
  }
  buf[offset++] = value
  return offset
}

/**
 * A forward reader over a byte range that validates every length before use,
 * so that hostile input can never make it read out of bounds or allocate.
 */
export class ByteReader {
  /** Current offset into `bytes`. */
  offset: number

  constructor (readonly bytes: Uint8Array, offset = 0, readonly end = bytes.length) {
    this.offset = offset
  }

  /** Bytes left before `end`. */
  get remaining (): number {
    return this.end - this.offset
  }

  /** Reads a LEB128 varint of at most 5 bytes and at most 2^32-1; null when malformed or truncated. */
  varint (): number | null {
    let result = 0
    let scale = 1
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.end) return null
      const byte = this.bytes[this.offset++]
      result += (byte & 0x7f) * scale
      if ((byte & 0x80) === 0) {
        // Reject non-minimal encodings (a trailing zero byte) so each value has one form.
        if (byte === 0 && i > 0) return null
        return result <= 0xffffffff ? result : null
      }
      scale *= 128
    }
    return null
  }

  /** Reads `length` bytes as a view (no copy); null when fewer remain. */
  take (length: number): Uint8Array | null {
    if (length > this.end - this.offset) return null
    const view = this.bytes.subarray(this.offset, this.offset + length)
    this.offset += length
    return view
  }

  /** Reads a varint length and steps over that many bytes; returns where they start, or -1 when malformed. */
  skipLengthPrefixed (): number {
    const length = this.varint()
    if (length === null || length > this.end - this.offset) return -1
    const start = this.offset
    this.offset += length
    return start
  }

  /** Reads a varint length followed by that many bytes; null when malformed. */
  lengthPrefixed (): Uint8Array | null {
    const start = this.skipLengthPrefixed()
    return start < 0 ? null : this.bytes.subarray(start, this.offset)
  }

  /** Reads one byte; null at the end. */
  u8 (): number | null {
    if (this.offset >= this.end) return null
    return this.bytes[this.offset++]
  }

  /** Reads a u32 LE; null when truncated. */
  u32 (): number | null {
    if (this.end - this.offset < 4) return null
    const v = readU32LE(this.bytes, this.offset)
    this.offset += 4
    return v
  }

  /** Reads a u64 LE (must be at most 2^53-1); null when truncated or too large. */
  u64 (): number | null {
    if (this.end - this.offset < 8) return null
    const v = readU64LE(this.bytes, this.offset)
    this.offset += 8
    return v < 0 ? null : v
  }
}
