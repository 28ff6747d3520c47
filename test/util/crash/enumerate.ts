/**
 * Crash-state enumeration: runs a workload, then checks recovery on the
 * crash images of every disk state its trace passed through.
 */
import { crashImages } from '../sim/crash-images'
import type { SimulatedFileSystem } from '../sim/simulated-file-system'
import { seededRandom } from '../sim/prng'
import { BoundsTable, checkImage } from './oracle'
import type { CheckOptions } from './oracle'
import { LOCATION, runWorkload } from './workload'
import { lintTrace } from './trace-linter'
import type { Workload, WorkloadRun } from './workload'

/** Effort knobs of an enumeration. */
export interface EnumerationOptions {
  seed: number
  /** Crash images per captured state. */
  imagesPerState: number
  /** Crash again inside open() on every n-th captured state (0: never). */
  nestedEvery: number
  nestedLimit: number
  /** Write after recovery and reopen on every n-th image (1: always). */
  writeAfterEvery: number
}

/** Counts of one enumeration. */
export interface EnumerationResult {
  run: WorkloadRun
  /** Recoveries checked (nested ones included). */
  states: number
  /** Captured disk states crashed at. */
  points: number
  /** Reordered images (a pending write lost while a later one survived), each opened in strict mode. */
  reordered: number
  /** The first problems found, with where. */
  failures: string[]
}

/** Runs `workload` and checks every crash image of every state it passed through. */
export async function enumerateCrashes (workload: Workload, options: EnumerationOptions, fs?: SimulatedFileSystem): Promise<EnumerationResult> {
  const run = await runWorkload(workload, fs)
  const random = seededRandom(options.seed)
  const bounds = new BoundsTable(run.fs.trace)
  const result: EnumerationResult = { run, states: 0, points: 0, reordered: 0, failures: [] }
  for (const problem of lintTrace(run.fs.trace, LOCATION)) result.failures.push(`${workload.name}: trace: ${problem}`)
  let imageCount = 0
  for (let i = 0; i < run.fs.states.length; i++) {
    const captured = run.fs.states[i]
    result.points++
    const images = crashImages(captured.state, { random, limit: options.imagesPerState })
    for (let j = 0; j < images.length; j++) {
      const image = images[j]
      const check: CheckOptions = {
        nested: options.nestedEvery > 0 && i % options.nestedEvery === 0 && j < 2,
        nestedLimit: options.nestedLimit,
        writeAfter: imageCount++ % options.writeAfterEvery === 0,
        random,
        retainLogBytes: workload.retainLogBytes
      }
      const durable = image.model === 'process' ? bounds.at(captured.after, 'power').kmin : undefined
      const outcome = await checkImage(image, { models: run.models, ...bounds.at(captured.after, image.model), durable }, check)
      result.states += outcome.states
      if (image.reordered) result.reordered++
      if (outcome.problems.length > 0 && result.failures.length < 5) {
        result.failures.push(`${workload.name}, crash after trace event ${captured.after} (${describeCall(run, captured.after)}), ${image.label}: ${outcome.problems.join('; ')}`)
      }
    }
  }
  return result
}

function describeCall (run: WorkloadRun, index: number): string {
  const event = run.fs.trace[index]
  if (event === undefined) return 'before any call'
  if (event.type === 'mark') return `mark ${event.label} ${event.value}`
  return `${event.op} ${event.path}${event.to !== undefined ? ' -> ' + event.to : ''}${event.error !== undefined ? ' failed ' + event.error : ''}`
}
