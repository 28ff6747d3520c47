/**
 * Byte strings in the page: keys and values are arbitrary bytes, carried as
 * lower-case hexadecimal by the endpoints, typed by the user as utf8 or hex.
 */

const encoder = new TextEncoder()

/** Lower-case hexadecimal of `bytes`. */
export function toHex (bytes: Uint8Array): string {
  let hex = ''
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/** The bytes of `hex` (even length, either case); throws a TypeError otherwise. */
export function fromHex (hex: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new TypeError('Hexadecimal of even length expected (digits 0-9, a-f)')
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return bytes
}

/** How a key is typed in. */
export type KeyInput = 'utf8' | 'hex'

/** The bytes of a key as typed, in `input`'s form. */
export function typedKey (text: string, input: KeyInput): Uint8Array {
  return input === 'hex' ? fromHex(text.trim()) : encoder.encode(text)
}

/**
 * The least key after every key that starts with `prefix`, or null when
 * there is none (an empty prefix, or one of 0xff bytes only): the `lt` of a
 * prefix filter.
 */
export function prefixEnd (prefix: Uint8Array): Uint8Array | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] < 0xff) {
      const end = prefix.slice(0, i + 1)
      end[i]++
      return end
    }
  }
  return null
}

export { formatBytes } from '../lib/format-bytes'
