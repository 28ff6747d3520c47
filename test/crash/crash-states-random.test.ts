/**
 * Crash-state enumeration on seeded random longer workloads: 8 to 14 steps,
 * automatic checkpoints running in the background while writers continue,
 * and a scheduler that randomly delays file-system calls so that group
 * commits, rotations and snapshot writes interleave differently each time.
 * CRASH_EFFORT multiplies the number of workloads; CRASH_SEED replays a run.
 */
import test from 'tape'
import { SimulatedFileSystem } from '../util/sim/simulated-file-system'
import { randomInt, seededRandom } from '../util/sim/prng'
import { enumerateCrashes } from '../util/crash/enumerate'
import { EFFORT, SEED } from '../util/crash/effort'
import { STEPS } from '../util/crash/workload'
import type { SyncMode, Workload } from '../util/crash/workload'

const WORKLOADS = 8 * EFFORT
const totals = { states: 0, points: 0, reordered: 0 }

test(`crash states: ${WORKLOADS} random workloads with background checkpoints and shuffled interleavings`, async t => {
  for (let i = 0; i < WORKLOADS; i++) {
    const seed = SEED + 1000 + i
    const random = seededRandom(seed)
    const length = 8 + randomInt(random, 7)
    const steps = Array.from({ length }, () => STEPS[randomInt(random, STEPS.length)])
    const sync = (['sync', 'nosync', 'mixed'] as SyncMode[])[randomInt(random, 3)]
    const checkpointBytes = [0, 200, 600][randomInt(random, 3)]
    const workload: Workload = { name: `seed ${seed}: ${steps.join(',')} (${sync}, checkpoint at ${checkpointBytes} bytes)`, steps, sync, checkpointBytes }
    const jitter = seededRandom(seed * 7)
    const fs = new SimulatedFileSystem({
      capture: true,
      scheduler: async () => { if (jitter() < 0.3) await new Promise(resolve => setImmediate(resolve)) }
    })
    const result = await enumerateCrashes(workload, { seed, imagesPerState: 10, nestedEvery: 6, nestedLimit: 3, writeAfterEvery: 4 }, fs)
    totals.states += result.states
    totals.points += result.points
    totals.reordered += result.reordered
    t.same(result.failures, [], `${workload.name}: ${result.states} crash states, ${result.run.batches.length} batches`)
  }
  t.comment(`crash states checked: ${totals.states} (${totals.points} crash points in ${WORKLOADS} random workloads; ${totals.reordered} reordered images among them, all opened in strict mode)`)
})
