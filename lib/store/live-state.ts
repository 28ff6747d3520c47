/**
 * The current state of an open database: the current tree version and the
 * key table that answers point reads for it (lib/lookup/key-table.ts). A
 * batch's operations change both together (applyOps), within the engine's
 * synchronous apply step, so a reader never sees one ahead of the other.
 */
import { bytesEqual, toHex } from '../bytes'
import type { KeyTable } from '../lookup/key-table'
import { entriesOf } from './checkpoint'
import type { Tree } from '../tree/tree'
import type { KeyRange } from '../tree/treap'

/**
 * The current version and its key table, changed together. The table's
 * changes are gathered and made at once by {@link LiveState.flush} (its
 * update loads the slots of many keys together); a range delete makes the
 * gathered ones first, since it removes what the tree holds by then.
 */
export class LiveState {
  readonly #keys: Uint8Array[] = []
  readonly #values: Array<Uint8Array | null> = []

  constructor (public tree: Tree, readonly table: KeyTable) {}

  /** Sets `key` to `value`. */
  put (key: Uint8Array, value: Uint8Array): this {
    this.tree = this.tree.put(key, value)
    this.#keys.push(key)
    this.#values.push(value)
    return this
  }

  /** Deletes `key`. */
  del (key: Uint8Array): this {
    this.tree = this.tree.del(key)
    this.#keys.push(key)
    this.#values.push(null)
    return this
  }

  /** Deletes the entries of `range`. */
  delRange (range: KeyRange): this {
    this.flush()
    this.tree = this.tree.delRange(range, key => this.table.delete(key))
    return this
  }

  /** Makes the gathered changes in the table; the state is whole again. */
  flush (): void {
    if (this.#keys.length === 0) return
    this.table.update(this.#keys, this.#values)
    this.#keys.length = 0
    this.#values.length = 0
  }
}

/** Most mismatches {@link tableProblems} lists one by one. */
const LISTED = 10

/**
 * How `table` differs from `tree` (empty when it holds exactly the tree's
 * entries): the integrity check of the current version (`db.check()`).
 */
export function tableProblems (tree: Tree, table: KeyTable): string[] {
  const problems: string[] = []
  let mismatches = 0
  for (const [key, value] of entriesOf(tree)) {
    const found = table.get(key)
    if (found !== undefined && bytesEqual(found, value)) continue
    if (++mismatches <= LISTED) problems.push(`key table ${found === undefined ? 'lacks' : 'has another value for'} key ${toHex(key)}`)
  }
  if (mismatches > LISTED) problems.push(`key table: ${mismatches - LISTED} more keys missing or with another value`)
  if (table.size !== tree.size) problems.push(`key table holds ${table.size} entries, the tree ${tree.size}`)
  return problems
}
