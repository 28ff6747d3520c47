/**
 * Who may read: the bearer token, compared in constant time, and the rule
 * for where a server may listen. A token is compared through SHA-256
 * digests, so the comparison takes the same time whatever the lengths.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'

/** Checks `Authorization: Bearer <token>` headers against one token. */
export class TokenCheck {
  readonly #digest: Buffer

  constructor (token: string) {
    if (typeof token !== 'string' || token === '') throw new TypeError("The 'token' option must be a non-empty string")
    this.#digest = digest(token)
  }

  /** True when the header carries exactly the token. */
  accepts (authorization: string | undefined): boolean {
    const match = /^Bearer ([\x21-\x7e]+)$/.exec(authorization ?? '')
    // A missing or malformed header is compared too, as the empty token: no early return to time.
    return timingSafeEqual(digest(match === null ? '' : match[1]), this.#digest) && match !== null
  }
}

function digest (token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

/** True when `host` is a loopback address: 127.0.0.0/8, ::1 (also IPv4-mapped), or `localhost`. */
export function isLoopback (host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (name === 'localhost') return true
  if (isIP(name) === 4) return name.startsWith('127.')
  if (isIP(name) === 6) return name === '::1' || name === '0:0:0:0:0:0:0:1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(name)
  return false
}

/**
 * Why a server must not listen on `host`, or null when it may: a
 * non-loopback address (any host name but `localhost` counts as one) needs
 * a token, unless `insecure` says explicitly to serve everyone who can
 * reach the port.
 */
export function listenRefusal (host: string, options: { token: boolean, insecure: boolean }): string | null {
  if (isLoopback(host) || options.token || options.insecure) return null
  return `Refusing to serve ${host}, which is not a loopback address, without a token: ` +
    'give one (--token-file or MERKLE_LEVEL_TOKEN), or --insecure to let anyone who reaches the port read the database'
}
