/**
 * The table of decoded nodes by offset agrees with a Map under any sequence
 * of insertions and deletions, through its growing and shrinking, including
 * offsets past 2^32 and offsets that collide in a small table.
 */
import test from 'tape'
import fc from 'fast-check'
import { NodeTable } from '../../lib/image/node-table'
import { newNode } from '../../lib/tree/node'
import type { TreeNode } from '../../lib/tree/node'

const NO_BYTES = new Uint8Array(0)

function nodeFor (at: number): TreeNode {
  return newNode(NO_BYTES, 0, NO_BYTES, 0, null, null, at)
}

// Offsets from a small pool (so that deletions hit), some near 2^32 and 2^48.
const offset = fc.oneof(
  fc.integer({ min: 1, max: 3000 }),
  fc.integer({ min: 1, max: 40 }).map(i => 2 ** 32 + i * 4096),
  fc.integer({ min: 1, max: 40 }).map(i => 2 ** 48 - i)
)
const op = fc.record({ kind: fc.constantFrom('set', 'delete', 'get'), at: offset })

test('node table: agrees with a Map through any insertions and deletions', t => {
  fc.assert(fc.property(fc.array(op, { maxLength: 4000 }), ops => {
    const table = new NodeTable()
    const model = new Map<number, TreeNode>()
    for (const { kind, at } of ops) {
      if (kind === 'set') {
        if (model.has(at)) continue
        const node = nodeFor(at)
        table.set(at, node)
        model.set(at, node)
      } else if (kind === 'delete') {
        if (table.delete(at) !== model.delete(at)) return false
      } else if (table.get(at) !== model.get(at)) return false
      if (table.size !== model.size) return false
    }
    for (const [at, node] of model) if (table.get(at) !== node) return false
    return true
  }), { numRuns: 60 })
  t.pass('60 runs of up to 4000 operations')
  t.end()
})

test('node table: grows past thousands of entries and shrinks back, every entry found', t => {
  const table = new NodeTable()
  const nodes: TreeNode[] = []
  for (let i = 0; i < 20000; i++) {
    nodes.push(nodeFor(i))
    table.set(4096 + i * 97, nodes[i])
  }
  let found = 0
  for (let i = 0; i < 20000; i++) if (table.get(4096 + i * 97) === nodes[i]) found++
  t.equal(found, 20000, 'all 20000 found')
  let deleted = 0
  for (let i = 0; i < 19990; i++) if (table.delete(4096 + i * 97)) deleted++
  t.equal(deleted, 19990, '19990 deleted')
  t.equal(table.size, 10, '10 left')
  let left = 0
  for (let i = 0; i < 20000; i++) if (table.get(4096 + i * 97) === (i >= 19990 ? nodes[i] : undefined)) left++
  t.equal(left, 20000, 'the last 10 found, the others gone')
  t.equal(table.delete(4096), false, 'a second delete finds nothing')
  table.clear()
  t.equal(table.size, 0, 'cleared')
  t.equal(table.get(4096 + 19999 * 97), undefined, 'nothing after clear')
  t.end()
})
