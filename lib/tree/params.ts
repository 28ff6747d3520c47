/**
 * The public parameters of a tree: everything besides the entries that a third
 * party needs to recompute a root. Today that is the salt of the priority
 * hash (empty by default), carried in every file header.
 */

/** Parameters of the Merkle treap. */
export interface TreeParams {
  /** Mixed into every priority hash; 0 to 32 bytes. */
  readonly salt: Uint8Array
}

/** The longest salt a header can carry. */
export const MAX_SALT_LENGTH = 32

/** The parameters of a database created without a salt. */
export const DEFAULT_PARAMS: TreeParams = Object.freeze({ salt: new Uint8Array(0) })
