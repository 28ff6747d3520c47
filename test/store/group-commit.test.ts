/**
 * Group commit and the fairness turn: writers issued together must share log
 * appends even when the event loop last turned for the database long ago (the
 * budget of a run of writes counts from its first write), and when they have
 * to wait for a turn (they are released together, by one turn).
 */
import test from 'tape'
import { MerkleLevel } from '../../index'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'

const appendsOf = (fs: SimulatedFileSystem): number =>
  fs.trace.filter(e => e.type === 'call' && e.op === 'write' && e.path.includes('wal-')).length

test('group commit: three batches issued together after an idle pause take two appends', async t => {
  const fs = new SimulatedFileSystem()
  const db = new MerkleLevel('/db', { fs })
  await db.open()
  await db.put('a', '1')
  await new Promise(resolve => setTimeout(resolve, 20))
  const before = appendsOf(fs)
  await Promise.all([
    db.batch([{ type: 'put', key: 'b', value: '1' }]),
    db.batch([{ type: 'put', key: 'c', value: '1' }]),
    db.batch([{ type: 'put', key: 'd', value: '1' }])
  ])
  t.is(appendsOf(fs) - before, 2, 'the first writer alone, the other two in one append')
  t.same(await db.getMany(['b', 'c', 'd']), ['1', '1', '1'])
  await db.close()
})

test('group commit: writers that wait for a turn of the event loop are released together', async t => {
  const fs = new SimulatedFileSystem()
  const db = new MerkleLevel('/db', { fs })
  await db.open()
  await db.put('a', '1')
  // The main thread busy past the fairness budget (or the process preempted): the next
  // writers wait for a turn of the event loop, and must still share a group.
  const end = performance.now() + 10
  while (performance.now() < end) { /* busy */ }
  const before = appendsOf(fs)
  await Promise.all([db.put('b', '1'), db.put('c', '1'), db.batch([{ type: 'put', key: 'd', value: '1' }])])
  t.is(appendsOf(fs) - before, 1, 'the three are queued together at the turn: one append')
  await db.close()
})
