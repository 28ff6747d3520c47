/**
 * Crash-state enumeration, bounded-exhaustive (after ACE): every workload of
 * one or two steps over the whole alphabet (put, del, batch, ranged clear,
 * clear with a limit, a value larger than a sector, three concurrent writers
 * sharing a group commit, checkpoint, close + reopen), in synced, unsynced
 * and mixed mode, after a first put. Every disk state the trace passes
 * through is crashed into its images (test/util/crash/oracle.ts has the
 * checks). CRASH_EFFORT ≥ 3 adds every workload of three steps.
 */
import test from 'tape'
import { enumerateCrashes } from '../util/crash/enumerate'
import { EFFORT, SEED } from '../util/crash/effort'
import { STEPS, runWorkload } from '../util/crash/workload'
import { isAllZero, readU32LE } from '../../lib/bytes'
import { FRAME_HEADER_SIZE } from '../../lib/wal/format'
import type { Step, SyncMode } from '../util/crash/workload'

function sequences (length: number): Step[][] {
  if (length === 0) return [[]]
  return sequences(length - 1).flatMap(prefix => STEPS.map(step => [...prefix, step]))
}

const maxLength = EFFORT >= 3 ? 3 : 2

test('crash states: the group step makes two batches share one append and one sync', async t => {
  // A first run compiles the write path: on a loaded machine, compiling it while the three
  // writers are issued can outlast the engine's 4 ms turn budget and split them.
  await runWorkload({ name: 'group', steps: ['group'], sync: 'sync', checkpointBytes: 0 })
  const run = await runWorkload({ name: 'group', steps: ['group'], sync: 'sync', checkpointBytes: 0 })
  const frames = run.fs.trace.flatMap(e => {
    if (e.type !== 'call' || e.op !== 'write' || !e.path.includes('wal-') || (e.offset ?? 0) === 0 || e.data === undefined) return []
    // The zeros the writer fills ahead of its frames are not an append.
    if (isAllZero(e.data)) return []
    let n = 0
    for (let at = 0; at + FRAME_HEADER_SIZE <= e.data.length; at += FRAME_HEADER_SIZE + readU32LE(e.data, at)) n++
    return [n]
  })
  t.same(frames, [1, 1, 2], 'frames per log append: the first put, the first writer alone, the other two together')
})
test('crash states: with retired log kept for change feeds, recovery reads around the retained segments', async t => {
  // Two checkpoints retire two segments of 166 to 204 bytes; a bound of 200 bytes keeps one, so
  // that the checkpoints both rename and prune.
  const workloads: Step[][] = [['checkpoint', 'put', 'checkpoint', 'reopen'], ['put', 'checkpoint', 'batch', 'checkpoint', 'put']]
  for (const sync of ['sync', 'nosync'] as SyncMode[]) {
    for (const [i, steps] of workloads.entries()) {
      const name = `retained: ${steps.join(',')} (${sync})`
      const result = await enumerateCrashes({ name, steps, sync, checkpointBytes: 0, retainLogBytes: 200 }, {
        seed: SEED + 1000 + i, imagesPerState: 6, nestedEvery: 8, nestedLimit: 2, writeAfterEvery: 3
      })
      const retained = (await result.run.fs.readdir('/db')).filter(name => name.includes('.retained-'))
      t.same(result.failures, [], `${name}: ${result.states} recoveries, every one as expected`)
      t.same(retained.length, 1, `${name}: one segment retained at the end`)
    }
  }
})

const totals = { workloads: 0, states: 0, points: 0, reordered: 0, failed: 0 }

for (const sync of ['sync', 'nosync', 'mixed'] as SyncMode[]) {
  test(`crash states: every workload of 1..${maxLength} steps, ${sync}`, async t => {
    const before = totals.states
    const failedBefore = totals.failed
    for (let length = 1; length <= maxLength; length++) {
      for (const steps of sequences(length)) {
        const name = `${steps.join(',')} (${sync})`
        const result = await enumerateCrashes({ name, steps, sync, checkpointBytes: 0 }, {
          seed: SEED + totals.workloads, imagesPerState: 10, nestedEvery: 6, nestedLimit: 3, writeAfterEvery: 3
        })
        totals.workloads++
        totals.states += result.states
        totals.points += result.points
        totals.reordered += result.reordered
        if (result.failures.length > 0) {
          totals.failed++
          t.same(result.failures, [], name)
        }
      }
    }
    t.equal(totals.failed - failedBefore, 0, `${sync}: ${totals.states - before} crash states, every workload recovered correctly`)
  })
}

test('crash states: totals', t => {
  t.comment(`crash states checked: ${totals.states} (${totals.points} crash points in ${totals.workloads} workloads; ${totals.reordered} reordered images among them, all opened in strict mode)`)
  t.equal(totals.failed, 0, 'no workload failed')
  t.ok(totals.states >= 50000 * Math.min(EFFORT, 1), `at least 50,000 crash states (${totals.states})`)
  t.end()
})
