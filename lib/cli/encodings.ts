/**
 * How the command line shows keys and values, and reads them back: `utf8`
 * (text; refuses bytes that are not UTF-8 rather than garble them), `hex`,
 * `base64` (lossless, the default of export and import) and `json` (the
 * value is JSON text, embedded as JSON).
 */
import { UsageError } from './exit-codes'

/** The encodings the command line knows. */
export const ENCODINGS = ['utf8', 'hex', 'base64', 'json'] as const

/** One of {@link ENCODINGS}. */
export type CliEncoding = typeof ENCODINGS[number]

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** Checks an option value. */
export function parseEncoding (name: string): CliEncoding {
  if (!(ENCODINGS as readonly string[]).includes(name)) {
    throw new UsageError(`Unknown encoding '${name}' (use one of ${ENCODINGS.join(', ')})`)
  }
  return name as CliEncoding
}

/** Bytes as a JSON value in `encoding`; `what` names them in errors. */
export function encodeBytes (bytes: Uint8Array, encoding: CliEncoding, what: string): unknown {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (encoding === 'hex') return buffer.toString('hex')
  if (encoding === 'base64') return buffer.toString('base64')
  let text: string
  try {
    text = strictUtf8.decode(bytes)
  } catch {
    throw new UsageError(`${what} is not UTF-8 text: use the hex or base64 encoding`)
  }
  if (encoding === 'utf8') return text
  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`${what} is not JSON: use the utf8, hex or base64 encoding`)
  }
}

/** A JSON value (from an argument or an NDJSON line) back to bytes. */
export function decodeBytes (value: unknown, encoding: CliEncoding, what: string): Uint8Array {
  if (encoding === 'json') return new Uint8Array(Buffer.from(JSON.stringify(value), 'utf8'))
  if (typeof value !== 'string') throw new UsageError(`${what} must be a string in the ${encoding} encoding`)
  if (encoding === 'utf8') return new Uint8Array(Buffer.from(value, 'utf8'))
  const pattern = encoding === 'hex' ? /^(?:[0-9a-fA-F]{2})*$/ : /^[A-Za-z0-9+/]*={0,2}$/
  if (!pattern.test(value) || (encoding === 'base64' && value.length % 4 !== 0)) {
    throw new UsageError(`${what} is not valid ${encoding}`)
  }
  return new Uint8Array(Buffer.from(value, encoding))
}

/** A key given on the command line: json keys are JSON text, the others as for {@link decodeBytes}. */
export function keyArgument (text: string, encoding: CliEncoding): Uint8Array {
  if (encoding !== 'json') return decodeBytes(text, encoding, 'The key')
  try {
    return decodeBytes(JSON.parse(text), 'json', 'The key')
  } catch (err) {
    if (err instanceof UsageError) throw err
    throw new UsageError('The key is not JSON text')
  }
}
