/**
 * The reference model: a plain sorted map of hex keys, trivially correct,
 * against which the tree and the database are checked.
 */
import { compareBytes } from '../../lib/bytes'
import type { KeyRange } from '../../lib/tree/treap'
import { Tree } from '../../lib/tree/tree'

/** A range as in abstract-level's clear and iterator options, over byte keys: the tree's own type. */
export type ModelRange = KeyRange

/** A sorted map from byte keys to byte values. */
export class SortedModel {
  readonly #map = new Map<string, { key: Uint8Array, value: Uint8Array }>()

  put (key: Uint8Array, value: Uint8Array): void {
    this.#map.set(Buffer.from(key).toString('hex'), { key: Uint8Array.from(key), value: Uint8Array.from(value) })
  }

  del (key: Uint8Array): void {
    this.#map.delete(Buffer.from(key).toString('hex'))
  }

  get (key: Uint8Array): Uint8Array | undefined {
    return this.#map.get(Buffer.from(key).toString('hex'))?.value
  }

  get size (): number {
    return this.#map.size
  }

  /** Entries in ascending key order. */
  entries (): Array<[Uint8Array, Uint8Array]> {
    return [...this.#map.values()].sort((a, b) => compareBytes(a.key, b.key)).map(e => [e.key, e.value])
  }

  /** The entries of a range, in the range's direction, at most `limit` of them. */
  range (range: ModelRange): Array<[Uint8Array, Uint8Array]> {
    let list = this.entries().filter(([k]) => inRange(k, range))
    if (range.reverse === true) list = list.reverse()
    const limit = range.limit ?? -1
    return limit >= 0 ? list.slice(0, limit) : list
  }

  /** Deletes the entries `range` selects. */
  clear (range: ModelRange): void {
    for (const [key] of this.range(range)) this.del(key)
  }

  clone (): SortedModel {
    const copy = new SortedModel()
    for (const [k, v] of this.entries()) copy.put(k, v)
    return copy
  }
}

/** True when `key` lies in `range`. */
export function inRange (key: Uint8Array, range: ModelRange): boolean {
  if (range.gt !== undefined && compareBytes(key, range.gt) <= 0) return false
  if (range.gte !== undefined && compareBytes(key, range.gte) < 0) return false
  if (range.lt !== undefined && compareBytes(key, range.lt) >= 0) return false
  if (range.lte !== undefined && compareBytes(key, range.lte) > 0) return false
  return true
}

/** A tree with salt `salt` and a model, both filled with `pairs` in order. */
export function treeAndModel (pairs: Array<[Uint8Array, Uint8Array]>, salt: Uint8Array): { tree: Tree, model: SortedModel } {
  let tree = Tree.empty({ salt })
  const model = new SortedModel()
  for (const [k, v] of pairs) {
    tree = tree.put(k, v)
    model.put(k, v)
  }
  return { tree, model }
}
