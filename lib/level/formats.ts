/**
 * The formats MerkleLevel speaks with abstract-level: `utf8`, `buffer` and
 * `view`. abstract-level hands the private methods keys, values and range
 * bounds already encoded to the format of the caller's encoding (a string, a
 * Buffer or a Uint8Array), and decodes what they return from that format, so
 * an encoding of one of these formats costs no transcoding on either side.
 * The engine holds bytes: strings become their UTF-8 bytes here, and bytes
 * go out as a copy in the format asked for.
 */

// Measured faster than Buffer#toString on Node 20. A leading U+FEFF is part of the
// string that was put, not a byte-order mark to drop.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })

/** A format of the manifest. */
export type Format = 'utf8' | 'buffer' | 'view'

/** A key, value or range bound as abstract-level hands it over. */
export type Encoded = string | Uint8Array

/**
 * The bytes of `data`. A Buffer or Uint8Array is taken as it is: the engine
 * copies what it keeps into its log record before the write resolves.
 */
export function toBytes (data: Encoded): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data
}

/** The bytes of a range bound, absent when the bound is. */
export function boundBytes (bound: Encoded | undefined): Uint8Array | undefined {
  return bound === undefined || bound === null ? undefined : toBytes(bound)
}

/**
 * Stored bytes in `format`. Bytes are copied: the engine's are views of its
 * log records that the tree has hashed, so a caller writing into what it got
 * must not change the database.
 */
export function fromBytes (bytes: Uint8Array, format: Format): Encoded {
  if (format === 'utf8') return utf8.decode(bytes)
  const copy = Buffer.from(bytes)
  return format === 'buffer' ? copy : new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength)
}

/** {@link fromBytes} for a value that may be absent. */
export function fromMaybeBytes (bytes: Uint8Array | undefined, format: Format): Encoded | undefined {
  return bytes === undefined ? undefined : fromBytes(bytes, format)
}
