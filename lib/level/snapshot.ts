/**
 * An explicit snapshot: a captured tree version. Capturing is O(1) because
 * the tree is persistent; dropping it lets the garbage collector reclaim
 * whatever only that version still referenced.
 */
import { AbstractSnapshot } from 'abstract-level'
import type { Tree } from '../tree/tree'

// abstract-level's typings declare a zero-argument constructor; the code takes the options.
const SnapshotBase = AbstractSnapshot as unknown as new (options: object) => AbstractSnapshot

/** The snapshot class of MerkleLevel. */
export class MerkleSnapshot extends SnapshotBase {
  // Kept after close(): an iterator created earlier may still hold it, and abstract-level
  // refuses reads through a closed snapshot with LEVEL_SNAPSHOT_NOT_OPEN before they get here.
  readonly #tree: Tree

  /** The database whose version this is. */
  readonly owner: object

  /** The sequence number of the last batch this version holds (0: none). */
  readonly seq: number

  constructor (tree: Tree, owner: object, options: object, seq: number) {
    super(options)
    this.#tree = tree
    this.owner = owner
    this.seq = seq
  }

  /** The captured tree version. */
  get tree (): Tree {
    return this.#tree
  }
}
