/**
 * The salt option: the tree parameters a new database is created with. A
 * salt changes every key's priority, hence the tree's shape, so keys ground
 * offline to make deep paths in one database (or in every unsalted one) are
 * ordinary keys in another. It is public: it sits in every file header and
 * every proof, and the root binds it (docs/MERKLE.md, "Adversarial keys").
 * An existing database keeps the salt it was created with.
 */
import { randomBytes } from 'node:crypto'
import { DEFAULT_PARAMS, MAX_SALT_LENGTH } from '../tree/params'
import type { TreeParams } from '../tree/params'

/** The `salt` option: 'random' for 32 fresh random bytes, or 0 to 32 given bytes. */
export type SaltOption = 'random' | Uint8Array

/** Throws a TypeError unless `salt` is a valid salt option (or absent). */
export function assertSaltOption (salt: unknown): asserts salt is SaltOption | undefined {
  if (salt === undefined || salt === 'random') return
  if (salt instanceof Uint8Array && salt.length <= MAX_SALT_LENGTH) return
  throw new TypeError(`The 'salt' option must be 'random' or a Uint8Array of at most ${MAX_SALT_LENGTH} bytes`)
}

/** The parameters a database created with this option gets. */
export function paramsForNewDatabase (salt: SaltOption | undefined): TreeParams {
  if (salt === undefined) return DEFAULT_PARAMS
  if (salt === 'random') return { salt: new Uint8Array(randomBytes(MAX_SALT_LENGTH)) }
  return { salt: salt.slice() }
}
