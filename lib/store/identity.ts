/**
 * The identity every file of a database carries in its header: a random
 * 16-byte database id, so that files of another database are never applied,
 * and the tree parameters a third party needs to recompute the root.
 *
 *     0  16  database id
 *    16   1  salt length (0..32)
 *    17  32  salt, zero-padded
 *    49  15  reserved, zero
 */
import { randomBytes } from 'node:crypto'
import { MAX_SALT_LENGTH } from '../tree/params'
import type { TreeParams } from '../tree/params'

/** Length of the identity field in file headers. */
export const IDENTITY_LENGTH = 64

/** A database's identity. */
export interface Identity {
  id: Uint8Array
  params: TreeParams
}

/** A new identity with a random id. */
export function newIdentity (params: TreeParams): Identity {
  return { id: new Uint8Array(randomBytes(16)), params }
}

/** Encodes an identity into its 64-byte header field. */
export function encodeIdentity (identity: Identity): Uint8Array {
  const salt = identity.params.salt
  if (salt.length > MAX_SALT_LENGTH) throw new RangeError(`salt longer than ${MAX_SALT_LENGTH} bytes`)
  const buf = new Uint8Array(IDENTITY_LENGTH)
  buf.set(identity.id, 0)
  buf[16] = salt.length
  buf.set(salt, 17)
  return buf
}

/** Decodes an identity field; null when malformed. */
export function decodeIdentity (bytes: Uint8Array): Identity | null {
  if (bytes.length !== IDENTITY_LENGTH || bytes[16] > MAX_SALT_LENGTH) return null
  for (let i = 17 + bytes[16]; i < IDENTITY_LENGTH; i++) if (bytes[i] !== 0) return null
  return { id: bytes.slice(0, 16), params: { salt: bytes.slice(17, 17 + bytes[16]) } }
}
