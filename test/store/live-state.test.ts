/**
 * The current state (tree and key table) under a batch's operations, and the
 * comparison db.check() makes between the two.
 */
import test from 'tape'
import fc from 'fast-check'
import { LiveState, tableProblems } from '../../lib/store/live-state'
import { applyOps } from '../../lib/store/batch-record'
import type { WriteOp } from '../../lib/store/batch-record'
import { KeyTable } from '../../lib/lookup/key-table'
import { Tree } from '../../lib/tree/tree'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { range, writeOp } from '../util/arbitraries'

const op: fc.Arbitrary<WriteOp> = fc.oneof(
  { weight: 4, arbitrary: writeOp },
  { weight: 1, arbitrary: range.map(r => ({ type: 'clear' as const, range: r })) }
)

test('live state: after any batches, the key table holds exactly the tree\'s entries', t => {
  let batches = 0
  fc.assert(fc.property(fc.array(fc.array(op, { maxLength: 80 }), { maxLength: 6 }), plan => {
    const live = new LiveState(Tree.empty(DEFAULT_PARAMS), new KeyTable())
    for (const ops of plan) {
      batches++
      applyOps(live, ops)
      live.flush()
      const problems = tableProblems(live.tree, live.table)
      if (problems.length > 0) throw new Error(problems.join('; '))
    }
  }), { numRuns: 300 })
  t.pass(`${batches} batches, the table matched the tree after each`)
  t.end()
})

test('live state: the comparison names what differs', t => {
  const key = (i: number): Uint8Array => Uint8Array.of(i)
  let tree = Tree.empty(DEFAULT_PARAMS)
  for (let i = 0; i < 30; i++) tree = tree.put(key(i), Uint8Array.of(i))
  const table = new KeyTable()
  for (let i = 0; i < 30; i++) table.set(key(i), Uint8Array.of(i))
  t.deepEqual(tableProblems(tree, table), [], 'the same entries: no problem')
  table.delete(key(3))
  table.set(key(4), Uint8Array.of(99))
  t.deepEqual(tableProblems(tree, table), ['key table lacks key 03', 'key table has another value for key 04', 'key table holds 29 entries, the tree 30'])
  table.set(key(3), Uint8Array.of(3))
  table.set(key(4), Uint8Array.of(4))
  table.set(key(200), Uint8Array.of(0))
  t.deepEqual(tableProblems(tree, table), ['key table holds 31 entries, the tree 30'], 'an extra key')
  table.clear()
  const problems = tableProblems(tree, table)
  t.equal(problems.length, 12, 'ten listed, then a count, then the sizes')
  t.equal(problems[10], 'key table: 20 more keys missing or with another value')
  t.end()
})
