/**
 * Fault loops in the style of SQLite's I/O-error tests: run a workload with
 * one fault armed at the n-th eligible file-system call, for n = 1, 2, …
 * until the workload completes without the fault firing.
 *
 * During each run: every rejected write carries LEVEL_IO_ERROR (or, when
 * open() itself failed, LEVEL_DATABASE_NOT_OPEN with an I/O cause); what
 * reads see is always the model of the acknowledged batches (the visible
 * state never runs ahead of the log); after a failed sync the instance
 * refuses every write until it is reopened. After each run, with the fault
 * disarmed, the disk as a process crash leaves it and as a power loss leaves
 * it must both open to a valid state:
 *
 *  - the state after an acknowledged batch at or after the last one
 *    acknowledged (for a power loss: acknowledged as synced, or made durable
 *    by a checkpoint or a clean close), or
 *  - a branch: the state at a point at or after that bound plus a prefix of
 *    the batches that were rejected because of the fault (their bytes may
 *    have reached the log: "may or may not include the failed batch, never
 *    part of it").
 */
import { crashImages } from '../sim/crash-images'
import type { CrashModel } from '../sim/crash-images'
import type { FaultKind } from '../sim/faults'
import { seededRandom } from '../sim/prng'
import { SimulatedFileSystem } from '../sim/simulated-file-system'
import type { DiskState } from '../sim/disk-state'
import type { MerkleLevel } from '../../../index'
import { causeCode, rootOf } from '../db'
import { SortedModel } from '../model'
import { History, clip, modelOf, render } from './fault-history'
import { describeError } from './oracle'
import { lintTrace } from './trace-linter'
import { LOCATION, openDb } from './workload'
import type { ModelOp, Workload } from './workload'

/** The outcome of one run with a fault armed. */
export interface FaultRunResult {
  fired: boolean
  problems: string[]
  /** The run's file-system trace, for failure reports. */
  trace: SimulatedFileSystem['trace']
}

/** Runs `workload` with `kind` armed at the `at`-th eligible call and checks everything above. */
export async function faultRun (workload: Workload, kind: FaultKind, at: number): Promise<FaultRunResult> {
  // A failure is known to the engine once its error was delivered: after the promise
  // handlers of the moment it fired have run (the next macrotask).
  let known = false
  const fs = new SimulatedFileSystem({ onFault: () => { setImmediate(() => { known = true }) } })
  const problems: string[] = []
  const history = new History()
  history.rebase(0, new SortedModel())
  const options = { checkpointBytes: workload.checkpointBytes, sync: workload.sync !== 'nosync' }
  fs.inject({ kind, at })
  const fired = (): boolean => fs.faultFiredAt !== null
  // The instance may not accept writes once it knows that a sync failed.
  const syncFailed = (): boolean => {
    const at = fs.faultFiredAt
    if (at === null || !known) return false
    const event = fs.trace[at]
    return event.type === 'call' && (event.op === 'sync' || event.op === 'syncDirectory')
  }
  let db: MerkleLevel | null = null
  let openedAt = -1

  const open = async (): Promise<void> => {
    fs.mark('open-start')
    openedAt = fs.trace.length
    try {
      const opened = await openDb(fs, options)
      fs.mark('opened')
      const seq = opened.recovery?.seq ?? -1
      db = opened
      // A read that met the fault is tried once more (a fault that fires once is gone); one that
      // fails again leaves the instance unusable for this run.
      const contents = await readAll(opened) ?? await readAll(opened)
      if (contents === null) {
        db = null
        await opened.close().catch(() => {})
        return
      }
      const problem = history.judge(seq, contents, 'process')
      if (problem !== null) problems.push(`open: ${problem}`)
      else history.rebase(seq, modelOf(history, seq, contents))
    } catch (err) {
      if (causeCode(err) !== 'LEVEL_IO_ERROR') problems.push(`open failed with ${causeCode(err) ?? '?'} (want an I/O cause): ${describeError(err)}`)
      if (!fired()) problems.push(`open failed without a fault: ${describeError(err)}`)
      db = null
    }
  }

  // One batch: `write` performs it on the open database.
  const batch = async (ops: ModelOp[], sync: boolean, write: (db: MerkleLevel) => Promise<void>): Promise<void> => {
    const current = db
    const issuedBeforeFault = !fired()
    const refusing = syncFailed() && (fs.faultFiredAt as number) >= openedAt
    if (current === null) return
    try {
      await write(current)
      if (refusing) problems.push('a write succeeded after a failed sync, before reopening')
      const seq = history.ok(ops, sync)
      fs.mark('ack', seq, sync)
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code !== 'LEVEL_IO_ERROR') problems.push(`write rejected with ${code ?? '?'}: ${describeError(err)}`)
      if (!fired()) problems.push(`write rejected without a fault: ${describeError(err)}`)
      if (issuedBeforeFault) history.rejected(ops)
    }
  }

  // What reads see; null when a read failed with LEVEL_IO_ERROR after the fault fired (the
  // tree is read from its image on demand, so a read may meet the fault too). Any other
  // failure, or one without a fault, is a problem.
  const readAll = async (from: MerkleLevel): Promise<string | null> => {
    try {
      return JSON.stringify(await from.iterator().all())
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code !== 'LEVEL_IO_ERROR' || !fired()) problems.push(`a read failed with ${code ?? '?'}: ${describeError(err)}`)
      return null
    }
  }

  const checkVisible = async (where: string): Promise<void> => {
    if (db === null) return
    const visible = await readAll(db)
    if (visible === null) return
    if (visible !== render(history.current)) problems.push(`after ${where}: visible state ${clip(visible)} is not the acknowledged state ${clip(render(history.current))}`)
  }

  await open()
  await runSteps(workload, {
    batch,
    sync: (k: number) => workload.sync === 'sync' || (workload.sync === 'mixed' && k % 2 === 0),
    checkpoint: async () => {
      if (db === null) return
      const refusing = syncFailed() && (fs.faultFiredAt as number) >= openedAt
      try {
        const result = await db.checkpoint()
        if (refusing) problems.push('a checkpoint succeeded after a failed sync, before reopening')
        history.durable(result.seq)
        fs.mark('durable', result.seq)
      } catch (err) {
        const code = (err as { code?: string }).code
        if (code !== 'LEVEL_IO_ERROR') problems.push(`checkpoint rejected with ${code ?? '?'}: ${describeError(err)}`)
        if (!fired()) problems.push(`checkpoint rejected without a fault: ${describeError(err)}`)
      }
    },
    reopen: async () => {
      history.closeBranches()
      await close()
      await open()
    },
    afterStep: checkVisible
  })
  await close()

  async function close (): Promise<void> {
    const current = db
    db = null
    if (current === null) return
    try {
      await current.close()
      history.durable(history.seq)
      fs.mark('durable', history.seq)
    } catch (err) {
      if (causeCode(err) !== 'LEVEL_IO_ERROR') problems.push(`close failed with ${causeCode(err) ?? '?'}: ${describeError(err)}`)
      if (!fired()) problems.push(`close failed without a fault: ${describeError(err)}`)
    }
  }

  const firedAtAll = fired()
  fs.inject(null)
  problems.push(...lintTrace(fs.trace, LOCATION).map(p => `trace: ${p}`))
  const [processImage, powerImage] = crashImages(fs.snapshot(), { random: seededRandom(at), limit: 2, reordered: false })
  for (const image of [processImage, powerImage ?? processImage]) {
    const crash: CrashModel = image === processImage ? 'process' : 'power'
    problems.push(...(await reopenCheck(image.state, history, crash)).map(p => `${crash === 'process' ? 'process crash' : 'power loss'} after the run: ${p}`))
  }
  return { fired: firedAtAll, problems, trace: fs.trace }
}

async function reopenCheck (state: DiskState, history: History, crash: CrashModel): Promise<string[]> {
  const fs = new SimulatedFileSystem({ state })
  let db: MerkleLevel
  try {
    db = await openDb(fs)
  } catch (err) {
    return [`open failed: ${causeCode(err) ?? '?'} ${describeError(err)}`]
  }
  const problems: string[] = []
  const seq = db.recovery?.seq ?? -1
  const contents = JSON.stringify(await db.iterator().all())
  const problem = history.judge(seq, contents, crash)
  if (problem !== null) problems.push(problem)
  else {
    const root = Buffer.from(await db.root()).toString('hex')
    if (root !== rootOf(modelOf(history, seq, contents).entries())) problems.push(`root ${root} is not the root of the recovered contents`)
  }
  await db.close()
  return problems
}

/** What a step driver needs from its caller. */
interface StepDriver {
  batch: (ops: ModelOp[], sync: boolean, write: (db: MerkleLevel) => Promise<void>) => Promise<void>
  sync: (k: number) => boolean
  checkpoint: () => Promise<void>
  reopen: () => Promise<void>
  afterStep: (where: string) => Promise<void>
}

// The workload's steps (after a first put), as in workload.ts but tolerant of failures.
async function runSteps (workload: Workload, d: StepDriver): Promise<void> {
  let k = 0
  const put = async (key: string, value: string): Promise<void> => {
    const sync = d.sync(++k)
    await d.batch([{ type: 'put', key, value }], sync, async db => await db.put(key, value, { sync } as object))
  }
  await put('a', 'v0')
  await d.afterStep('the first put')
  let n = 0
  for (const step of workload.steps) {
    n++
    if (step === 'put') await put(['a', 'b', 'c'][n % 3], `v${n}`)
    else if (step === 'big') await put(`big${n}`, String(n % 10).repeat(6000))
    else if (step === 'del') {
      const sync = d.sync(++k)
      await d.batch([{ type: 'del', key: 'a' }], sync, async db => await db.del('a', { sync } as object))
    } else if (step === 'batch') {
      const sync = d.sync(++k)
      const ops: ModelOp[] = [{ type: 'put', key: 'b', value: `b${n}` }, { type: 'del', key: 'c' }, { type: 'put', key: `k${n}`, value: 'x'.repeat(n * 7) }]
      await d.batch(ops, sync, async db => await db.batch([{ type: 'put', key: 'b', value: `b${n}` }, { type: 'del', key: 'c' }, { type: 'put', key: `k${n}`, value: 'x'.repeat(n * 7) }], { sync } as object))
    } else if (step === 'clear' || step === 'clear-limit') {
      k++
      const range = step === 'clear' ? { gte: 'b', lt: 'k' } : { limit: 1, reverse: true }
      await d.batch([{ type: 'clear', range }], workload.sync !== 'nosync', async db => await db.clear(range))
    } else if (step === 'group') {
      const syncs = [d.sync(++k), d.sync(++k), d.sync(++k)]
      await Promise.all([
        d.batch([{ type: 'put', key: 'g1', value: `${n}` }], syncs[0], async db => await db.put('g1', `${n}`, { sync: syncs[0] } as object)),
        d.batch([{ type: 'put', key: 'g2', value: `${n}` }], syncs[1], async db => await db.put('g2', `${n}`, { sync: syncs[1] } as object)),
        d.batch([{ type: 'del', key: 'a' }, { type: 'put', key: 'g3', value: `${n}` }], syncs[2],
          async db => await db.batch([{ type: 'del', key: 'a' }, { type: 'put', key: 'g3', value: `${n}` }], { sync: syncs[2] } as object))
      ])
    } else if (step === 'checkpoint') await d.checkpoint()
    else if (step === 'reopen') await d.reopen()
    await d.afterStep(`step ${n} (${step})`)
  }
}
