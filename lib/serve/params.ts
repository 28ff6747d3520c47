/**
 * The query parameters of a request, read strictly: each endpoint names the
 * parameters it takes, and an unknown or repeated one, a malformed value or
 * one out of range is refused with REPLICATION_BAD_PARAMETER, never ignored.
 */
import { fromHex } from '../bytes'
import { badParameter } from './protocol'

/** The parameters of one request. */
export class Params {
  readonly #values = new Map<string, string>()

  /** Reads `search`, allowing only the names in `allowed`. */
  constructor (search: URLSearchParams, allowed: readonly string[]) {
    for (const [name, value] of search) {
      if (!allowed.includes(name)) throw badParameter(`Unknown parameter '${name}' (this endpoint takes ${allowed.length === 0 ? 'none' : allowed.join(', ')})`)
      if (this.#values.has(name)) throw badParameter(`Parameter '${name}' is given twice`)
      this.#values.set(name, value)
    }
  }

  /** True when the parameter is given. */
  has (name: string): boolean {
    return this.#values.has(name)
  }

  /** The raw text of a parameter, or undefined. */
  text (name: string): string | undefined {
    return this.#values.get(name)
  }

  /** A byte string given in hexadecimal (even length, either case; may be empty), or undefined. */
  bytes (name: string): Uint8Array | undefined {
    const value = this.#values.get(name)
    if (value === undefined) return undefined
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(value)) throw badParameter(`Parameter '${name}' must be hexadecimal of even length`)
    return fromHex(value.toLowerCase())
  }

  /** A root: 64 hexadecimal digits (either case), returned in lower case; or undefined. */
  root (name: string): string | undefined {
    const value = this.#values.get(name)
    if (value === undefined) return undefined
    if (!/^[0-9a-fA-F]{64}$/.test(value)) throw badParameter(`Parameter '${name}' must be a root: 64 hexadecimal digits`)
    return value.toLowerCase()
  }

  /** One of `choices`, or `fallback` when absent. */
  choice (name: string, choices: readonly string[], fallback: string): string {
    const value = this.#values.get(name) ?? fallback
    if (!choices.includes(value)) throw badParameter(`Parameter '${name}' must be one of ${choices.join(', ')}`)
    return value
  }

  /** A decimal integer from `least` to `most` (no sign, no leading zero), or `fallback` when absent. */
  integer (name: string, least: number, most: number, fallback?: number): number {
    const value = this.#values.get(name)
    if (value === undefined) {
      if (fallback === undefined) throw badParameter(`Parameter '${name}' is required`)
      return fallback
    }
    const n = /^(?:0|[1-9][0-9]{0,15})$/.test(value) ? Number(value) : NaN
    if (!Number.isSafeInteger(n) || n < least || n > most) {
      throw badParameter(`Parameter '${name}' must be an integer from ${least} to ${most}`)
    }
    return n
  }
}
