/**
 * Node positions (heap numbers in hexadecimal) and the subtree searches a
 * replica runs on its own tree, against plain models: a position's path is
 * the one it was built from, and the keys of an interval, the highest node
 * inside it and a subtree's extremes are those a sorted list gives.
 */
import test from 'tape'
import fc from 'fast-check'
import { compareBytes, toHex } from '../../lib/bytes'
import { resolve } from '../../lib/tree/node'
import type { TreeNode } from '../../lib/tree/node'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { TOP_POSITION, childPosition, isPosition, nodeAtPath, pathOf } from '../../lib/tree/positions'
import { extremes, keysWithin, topWithin, within } from '../../lib/tree/subtree-search'
import { Tree } from '../../lib/tree/tree'

test('positions: the path of a position built child by child is that path; its number is the heap number', t => {
  fc.assert(fc.property(fc.array(fc.boolean(), { maxLength: 200 }), path => {
    let position = TOP_POSITION
    for (const right of path) position = childPosition(position, right)
    if (!isPosition(position)) throw new Error(`${position} is not a position`)
    if (JSON.stringify(pathOf(position)) !== JSON.stringify(path)) throw new Error(`${position} has another path`)
    const heap = path.reduce((n, right) => n * 2n + (right ? 1n : 0n), 1n)
    if (heap.toString(16) !== position) throw new Error(`${position} is not ${heap.toString(16)}`)
  }))
  t.deepEqual(['1', '2', '3', 'a', '0', '01', 'A', ''].map(isPosition), [true, true, true, true, false, false, false, false])
  t.end()
})

test('positions: nodeAtPath follows the path, null past the leaves', t => {
  let tree = Tree.empty(DEFAULT_PARAMS)
  for (let i = 0; i < 50; i++) tree = tree.put(Uint8Array.of(i), Uint8Array.of(i))
  const top = resolve(tree.top as TreeNode)
  t.equal(nodeAtPath(tree.top, []), top)
  t.equal(nodeAtPath(tree.top, [false]), top.left === null ? null : resolve(top.left))
  t.equal(nodeAtPath(tree.top, Array.from({ length: 60 }, () => true)), null)
  t.equal(nodeAtPath(null, []), null)
  t.end()
})

const key = fc.uint8Array({ maxLength: 3 }).map(a => a.map(b => b & 3))
const bound = fc.option(key, { nil: null })

test('subtree search: keys within, the highest node within and extremes agree with a sorted list', t => {
  fc.assert(fc.property(fc.array(key, { maxLength: 60 }), bound, bound, (keys, low, high) => {
    let tree = Tree.empty(DEFAULT_PARAMS)
    for (const k of keys) tree = tree.put(k, k)
    const sorted = [...new Map(keys.map(k => [toHex(k), k])).values()].sort(compareBytes)
    const interval = { low, high }
    const inside = sorted.filter(k => within(interval, k))
    if (JSON.stringify(keysWithin(tree.top, interval).map(toHex)) !== JSON.stringify(inside.map(toHex))) throw new Error('keysWithin differs')
    const highest = topWithin(tree.top, interval)
    if ((highest === null) !== (inside.length === 0)) throw new Error('topWithin finds a node exactly when a key is inside')
    if (highest !== null) {
      if (!within(interval, highest.key)) throw new Error('topWithin is outside')
      // Its subtree holds every key inside.
      const below = keysWithin(highest, { low: null, high: null }).map(toHex)
      if (!inside.every(k => below.includes(toHex(k)))) throw new Error('topWithin misses a key inside')
      const { min, max } = extremes(highest)
      if (toHex(min) !== below[0] || toHex(max) !== below[below.length - 1]) throw new Error('extremes differ')
    }
  }))
  t.pass('checked')
  t.end()
})
