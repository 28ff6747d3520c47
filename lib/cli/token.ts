/**
 * The bearer token of `serve` and `replicate`: from --token-file, else from
 * the environment variable MERKLE_LEVEL_TOKEN, else none.
 */
import { readFileSync } from 'node:fs'
import { UsageError } from './exit-codes'

/** The token (surrounding whitespace removed), or undefined; a UsageError when it is empty or not sendable in a header. */
export function tokenOf (tokenFile: string | undefined): string | undefined {
  const token = tokenFile !== undefined ? readFileSync(tokenFile, 'utf8').trim() : process.env.MERKLE_LEVEL_TOKEN
  if (token === undefined) return undefined
  if (token === '') throw new UsageError(tokenFile !== undefined ? `the token file ${tokenFile} is empty` : 'MERKLE_LEVEL_TOKEN is set but empty')
  if (!/^[\x21-\x7e]+$/.test(token)) throw new UsageError('the token must be printable ASCII without spaces (it is sent in an Authorization header)')
  return token
}
