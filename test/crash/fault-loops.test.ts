/**
 * I/O-error and disk-full loops (SQLite's ioerr and full tests): for each
 * workload and each fault kind — EIO once, EIO forever, ENOSPC after a short
 * write, EIO from a sync — fail the n-th eligible file-system call for
 * n = 1, 2, … until the workload completes without the fault firing. The
 * checks are in test/util/crash/fault-loop.ts. Workloads: every single step
 * in the three sync modes, hand-picked longer ones that reopen after the
 * fault and run background checkpoints, and seeded random ones
 * (CRASH_EFFORT multiplies those).
 */
import test from 'tape'
import type { FaultKind } from '../util/sim/faults'
import { randomInt, seededRandom } from '../util/sim/prng'
import { faultRun } from '../util/crash/fault-loop'
import { EFFORT, SEED } from '../util/crash/effort'
import { STEPS } from '../util/crash/workload'
import type { Step, SyncMode, Workload } from '../util/crash/workload'

const KINDS: FaultKind[] = ['eio-once', 'eio-forever', 'enospc', 'fsync-eio']
const totals = { workloads: 0, runs: 0, fired: 0 }

function workload (spec: string): Workload {
  const [steps, sync, checkpointBytes] = spec.split('/')
  return { name: spec, steps: steps.split(',').filter(s => s !== '') as Step[], sync: sync as SyncMode, checkpointBytes: Number(checkpointBytes ?? 0) }
}

async function loop (t: test.Test, w: Workload): Promise<void> {
  totals.workloads++
  for (const kind of KINDS) {
    const failures: string[] = []
    let at = 1
    for (; ; at++) {
      const result = await faultRun(w, kind, at)
      totals.runs++
      if (result.problems.length > 0 && failures.length < 3) failures.push(`${kind} at call ${at}: ${result.problems.join('; ')}`)
      if (!result.fired) break
      totals.fired++
    }
    if (failures.length > 0) t.same(failures, [], `${w.name}: ${kind}`)
  }
}

test('fault loops: every single step, in each sync mode', async t => {
  const before = totals.runs
  for (const sync of ['sync', 'nosync', 'mixed'] as SyncMode[]) {
    for (const step of STEPS) await loop(t, { name: `${step}/${sync}`, steps: [step], sync, checkpointBytes: 0 })
  }
  t.ok(totals.runs > before, `${totals.runs - before} runs`)
})

test('fault loops: reopening after the fault, background checkpoints', async t => {
  const before = totals.runs
  for (const spec of [
    'put,reopen,put/sync', 'put,reopen,put/nosync', 'group,reopen,group/mixed',
    'checkpoint,put,reopen,put/sync', 'checkpoint,put,checkpoint,reopen/mixed', 'big,checkpoint,big,reopen,del/nosync',
    'batch,clear,reopen,clear-limit/sync', 'put,put,put,put,put/sync/150', 'group,group,big,reopen,group/mixed/200',
    'put,checkpoint,group,reopen,put/nosync/150', 'reopen,reopen,put/mixed', 'big,big,reopen,checkpoint,put/sync/4000'
  ]) await loop(t, workload(spec))
  t.ok(totals.runs > before, `${totals.runs - before} runs`)
})

test(`fault loops: ${4 * EFFORT} random workloads`, async t => {
  const before = totals.runs
  for (let i = 0; i < 4 * EFFORT; i++) {
    const random = seededRandom(SEED + 5000 + i)
    const steps = Array.from({ length: 4 + randomInt(random, 4) }, () => STEPS[randomInt(random, STEPS.length)])
    const sync = (['sync', 'nosync', 'mixed'] as SyncMode[])[randomInt(random, 3)]
    await loop(t, { name: `${steps.join(',')}/${sync}`, steps, sync, checkpointBytes: [0, 150, 500][randomInt(random, 3)] })
  }
  t.ok(totals.runs > before, `${totals.runs - before} runs`)
})

test('fault loops: totals', t => {
  t.comment(`fault-loop cases: ${totals.runs} runs (${totals.fired} with the fault fired) over ${totals.workloads} workloads x ${KINDS.length} fault kinds`)
  t.ok(totals.fired > 1000, 'faults fired at over a thousand different calls')
  t.end()
})
