/**
 * The crash oracle: opens a database on a crash image and checks that
 * recovery produced exactly the state after batch k, for some k with
 * last-acknowledged ≤ k ≤ last-issued (acknowledged under the image's crash
 * model), that the Merkle root is the root of a fresh tree of those entries,
 * that no temporary file remains, that a new write survives a clean reopen,
 * and (optionally) that a crash at every point inside that open() is itself
 * recovered from, to the same k.
 */
import { SimulatedFileSystem } from '../sim/simulated-file-system'
import { crashImages } from '../sim/crash-images'
import type { CrashImage, CrashModel } from '../sim/crash-images'
import type { DiskState } from '../sim/disk-state'
import type { Random } from '../sim/prng'
import type { TraceEvent } from '../sim/trace'
import type { MerkleLevel } from '../../../index'
import { causeCode, rootOf } from '../db'
import type { SortedModel } from '../model'
import { LOCATION, applyModel, openDb } from './workload'
import { lintTrace } from './trace-linter'

/** The range of batch counts a recovered state may have. */
export interface Bounds {
  kmin: number
  kmax: number
}

/** For every trace position, the bounds under each crash model. */
export class BoundsTable {
  readonly #issued: number[] = []
  readonly #process: number[] = []
  readonly #power: number[] = []

  constructor (trace: readonly TraceEvent[]) {
    let issued = 0
    let process = 0
    let power = 0
    for (const event of trace) {
      if (event.type === 'mark') {
        if (event.label === 'issue') issued = Math.max(issued, event.value)
        else if (event.label === 'ack') {
          process = Math.max(process, event.value)
          // A synced batch makes every batch before it durable too (the log is a prefix).
          if (event.flag) power = Math.max(power, event.value)
        } else if (event.label === 'durable') {
          process = Math.max(process, event.value)
          power = Math.max(power, event.value)
        }
      }
      this.#issued.push(issued)
      this.#process.push(process)
      this.#power.push(power)
    }
  }

  /** Bounds for a crash right after trace event `after` (-1: before any). */
  at (after: number, model: CrashModel): Bounds {
    if (after < 0) return { kmin: 0, kmax: 0 }
    return { kmin: (model === 'process' ? this.#process : this.#power)[after], kmax: this.#issued[after] }
  }
}

/** What the oracle expects of one image. */
export interface Expected extends Bounds {
  /** models[k]: the state after batches 1..k. */
  models: readonly SortedModel[]
  /**
   * The batches durable on the disk being opened (the bound under power loss). A crash
   * inside its open() by power loss may fall back to it: what recovery read may have been
   * only in the page cache. Undefined: everything on that disk is durable.
   */
  durable?: number
}

/** How thoroughly to check. */
export interface CheckOptions {
  /** Crash again at every point inside the recovering open() (R17). */
  nested: boolean
  /** Images per nested crash point. */
  nestedLimit: number
  /** Write after recovery and reopen cleanly. */
  writeAfter: boolean
  random: Random
  /** Retired log kept for change feeds (the workload's retainLogBytes), at every open. */
  retainLogBytes?: number
}

/** The outcome of checking one image (and its nested crashes). */
export interface CheckResult {
  /** Empty when everything held. */
  problems: string[]
  /** Recoveries checked, nested ones included. */
  states: number
  /** The batch count recovered (-1 when open failed). */
  seq: number
}

const roots = new WeakMap<SortedModel, string>()

function rootOfModel (model: SortedModel): string {
  let root = roots.get(model)
  if (root === undefined) {
    root = rootOf(model.entries())
    roots.set(model, root)
  }
  return root
}

/** Checks recovery on one crash image. */
export async function checkImage (image: CrashImage, expected: Expected, options: CheckOptions): Promise<CheckResult> {
  const result: CheckResult = { problems: [], states: 1, seq: -1 }
  const fs = new SimulatedFileSystem({ state: image.state, capture: options.nested })
  fs.mark('open-start')
  let db: MerkleLevel
  try {
    db = await openDb(fs, retention(options))
  } catch (err) {
    // Reordered images too: damage a power loss left before valid frames lies beyond every
    // later frame's durable mark, and strict recovery cuts it as an unsynced tail.
    result.problems.push(`open failed: ${causeCode(err) ?? ''} ${describeError(err)}`)
    return result
  }
  fs.mark('opened')
  result.problems.push(...lintTrace(fs.trace, LOCATION).map(p => `recovery trace: ${p}`))
  const recovered = db.recovery
  result.seq = recovered?.seq ?? -1
  result.problems.push(...await verifyState(db, expected, fs))
  if (recovered !== null && result.problems.length === 0) {
    const model = expected.models[recovered.seq]
    if (recovered.root !== rootOfModel(model)) result.problems.push(`recovery report root ${recovered.root} differs`)
  }
  if (options.writeAfter && result.problems.length === 0) {
    result.problems.push(...await writeAndReopen(db, fs, expected.models[result.seq], result.seq, options))
  } else {
    await db.close()
  }
  if (options.nested && result.problems.length === 0) {
    const k = result.seq
    for (const captured of insideOpen(fs)) {
      for (const nested of crashImages(captured, { random: options.random, limit: options.nestedLimit, reordered: false })) {
        // A process crash keeps what recovery read; a power loss keeps at least what was durable.
        const kmin = nested.model === 'process' ? k : Math.min(k, expected.durable ?? k)
        const inner = await checkImage(nested, { models: expected.models, kmin, kmax: k, durable: nested.model === 'process' ? expected.durable : kmin }, { ...options, nested: false, writeAfter: false })
        result.states += inner.states
        for (const p of inner.problems) result.problems.push(`crash inside open() (${nested.label}): ${p}`)
        if (result.problems.length > 0) return result
      }
    }
  }
  return result
}

// The disk states captured while open() ran (between the two marks).
function insideOpen (fs: SimulatedFileSystem): DiskState[] {
  const start = fs.trace.find(e => e.type === 'mark' && e.label === 'open-start')?.index ?? 0
  const end = fs.trace.find(e => e.type === 'mark' && e.label === 'opened')?.index ?? fs.trace.length
  return fs.states.filter(s => s.after > start && s.after < end).map(s => s.state)
}

/** Checks an open database against the model: bounds, exact contents, root, no temporary files. */
export async function verifyState (db: MerkleLevel, expected: Expected, fs: SimulatedFileSystem): Promise<string[]> {
  const problems: string[] = []
  const k = db.recovery?.seq ?? -1
  if (k < expected.kmin || k > expected.kmax) {
    problems.push(`recovered ${k} batches, expected ${expected.kmin}..${expected.kmax}`)
    return problems
  }
  const model = expected.models[k]
  const actual = JSON.stringify(await db.iterator().all())
  const wanted = JSON.stringify(model.entries().map(([key, value]) => [decode(key), decode(value)]))
  if (actual !== wanted) problems.push(`contents after ${k} batches differ: ${clip(actual)} vs ${clip(wanted)}`)
  const root = Buffer.from(await db.root()).toString('hex')
  if (root !== rootOfModel(model)) problems.push(`root ${root} is not the root of the expected contents`)
  const temps = (await fs.readdir(LOCATION)).filter(name => name.includes('.tmp-'))
  if (temps.length > 0) problems.push(`temporary files remain after open: ${temps.join(', ')}`)
  return problems
}

// A synced write after recovery must survive a power loss right after it (which may drop
// whatever of the recovered state was still only in the page cache: it must keep the write
// and everything before it), and a clean close and reopen.
// The open options of `options`' retention.
function retention (options: CheckOptions): { retainLogBytes?: number } {
  return options.retainLogBytes === undefined ? {} : { retainLogBytes: options.retainLogBytes }
}

async function writeAndReopen (db: MerkleLevel, fs: SimulatedFileSystem, model: SortedModel, k: number, options: CheckOptions): Promise<string[]> {
  try {
    await db.put('~after', 'recovered', { sync: true } as object)
  } catch (err) {
    return [`write after recovery failed: ${causeCode(err) ?? ''} ${describeError(err)}`]
  }
  const models: SortedModel[] = []
  models[k + 1] = applyModel(model, [{ type: 'put', key: '~after', value: 'recovered' }])
  const expected = { models, kmin: k + 1, kmax: k + 1 }
  const problems: string[] = []
  const power = crashImages(fs.snapshot(), { random: () => 0, limit: 2, reordered: false }).find(i => i.model === 'power')
  if (power !== undefined) {
    const lossFs = new SimulatedFileSystem({ state: power.state })
    try {
      const lost = await openDb(lossFs, retention(options))
      problems.push(...(await verifyState(lost, expected, lossFs)).map(p => `power loss after a synced write following recovery: ${p}`))
      await lost.close()
    } catch (err) {
      problems.push(`power loss after a synced write following recovery: open failed: ${causeCode(err) ?? ''} ${describeError(err)}`)
    }
  }
  try {
    await db.close()
  } catch (err) {
    return [...problems, `close after the write failed: ${causeCode(err) ?? ''} ${describeError(err)}`]
  }
  let reopened: MerkleLevel
  try {
    reopened = await openDb(fs, retention(options))
  } catch (err) {
    return [...problems, `reopen after the write failed: ${causeCode(err) ?? ''} ${describeError(err)}`]
  }
  problems.push(...(await verifyState(reopened, expected, fs)).map(p => `after a write and a clean reopen: ${p}`))
  await reopened.close()
  return problems
}

function decode (bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes)
}

function clip (s: string): string {
  return s.length > 300 ? s.slice(0, 300) + '…' : s
}

/** A short description of an error and its causes. */
export function describeError (err: unknown): string {
  const parts: string[] = []
  for (let e = err as { message?: string, cause?: unknown } | undefined; e !== undefined && e !== null && parts.length < 4; e = e.cause as typeof e) {
    parts.push(String(e.message ?? e))
  }
  return parts.join(' <- ')
}
