/**
 * Workloads for crash tests: short sequences of database operations run
 * against a simulated file system, with a reference model of the state after
 * every batch and marks in the file system's trace saying when each batch
 * was issued and acknowledged.
 *
 * Batches are numbered 1, 2, … in the order they are issued, which is the
 * order the engine gives them sequence numbers: after a crash the database
 * must hold exactly the state after batch k, and its sequence number must be
 * k.
 */
import { MerkleLevel } from '../../../index'
import type { MerkleLevelOptions } from '../../../index'
import { SimulatedFileSystem } from '../sim/simulated-file-system'
import type { FileSystem } from '../../../lib/fs/file-system'
import { SortedModel } from '../model'
import type { ModelRange } from '../model'

/** The steps a workload is made of. */
export type Step =
  | 'put' | 'del' | 'batch' | 'clear' | 'clear-limit' | 'big'
  | 'group' | 'checkpoint' | 'reopen'

/** Every step, for bounded-exhaustive enumeration. */
export const STEPS: readonly Step[] = ['put', 'del', 'batch', 'clear', 'clear-limit', 'big', 'group', 'checkpoint', 'reopen']

/** How writes ask for durability. */
export type SyncMode = 'sync' | 'nosync' | 'mixed'

/** A workload: steps after opening a new database (which first gets one put). */
export interface Workload {
  readonly name: string
  readonly steps: readonly Step[]
  readonly sync: SyncMode
  /** Automatic checkpoint threshold (0: only explicit checkpoints). */
  readonly checkpointBytes: number
  /** Keep retired log segments for change feeds, up to this many bytes (absent: none kept). */
  readonly retainLogBytes?: number
}

/** The database location inside every simulated disk. */
export const LOCATION = '/db'

/** A model operation (string keys and values, as the workload writes them). */
export type ModelOp =
  | { type: 'put', key: string, value: string }
  | { type: 'del', key: string }
  | { type: 'clear', range: { gte?: string, lt?: string, limit?: number, reverse?: boolean } }

/** One issued batch. */
export interface IssuedBatch {
  readonly ops: readonly ModelOp[]
  readonly sync: boolean
}

/** What running a workload produced. */
export interface WorkloadRun {
  readonly workload: Workload
  readonly fs: SimulatedFileSystem
  /** Batch k is batches[k - 1]. */
  readonly batches: IssuedBatch[]
  /** models[k]: the state after batches 1..k (models[0] is empty). */
  readonly models: SortedModel[]
}

/** Applies model operations. */
export function applyModel (model: SortedModel, ops: readonly ModelOp[]): SortedModel {
  const next = model.clone()
  for (const op of ops) {
    if (op.type === 'put') next.put(bytes(op.key), bytes(op.value))
    else if (op.type === 'del') next.del(bytes(op.key))
    else next.clear(modelRange(op.range))
  }
  return next
}

function bytes (s: string): Uint8Array {
  return new TextEncoder().encode(s)
}

function modelRange (r: { gte?: string, lt?: string, limit?: number, reverse?: boolean }): ModelRange {
  const out: ModelRange = {}
  if (r.gte !== undefined) out.gte = bytes(r.gte)
  if (r.lt !== undefined) out.lt = bytes(r.lt)
  if (r.limit !== undefined) out.limit = r.limit
  if (r.reverse !== undefined) out.reverse = r.reverse
  return out
}

/** Opens a string-keyed database on `fs`. */
export async function openDb (fs: FileSystem, options: MerkleLevelOptions<string, string> = {}): Promise<MerkleLevel> {
  const db = new MerkleLevel(LOCATION, { fs, ...options })
  await db.open()
  return db
}

/**
 * Runs a workload on a fresh simulated disk that captures its state after
 * every call. Marks: `issue k` (flag: sync) before batch k is handed to the
 * database, `ack k` after it resolved, `durable k` when batches up to k are
 * durable by other means (a checkpoint, a clean close).
 */
export async function runWorkload (workload: Workload, fs = new SimulatedFileSystem({ capture: true })): Promise<WorkloadRun> {
  const batches: IssuedBatch[] = []
  const models: SortedModel[] = [new SortedModel()]
  const options = {
    checkpointBytes: workload.checkpointBytes,
    sync: workload.sync !== 'nosync',
    ...(workload.retainLogBytes === undefined ? {} : { retainLogBytes: workload.retainLogBytes })
  }
  let db = await openDb(fs, options)
  let counter = 0

  // `fixed`: the durability the write gets regardless of the mode (clear() always uses the default).
  const issue = (ops: ModelOp[], write: (sync: boolean) => Promise<void>, fixed?: boolean): Promise<void> => {
    const k = batches.length + 1
    const sync = fixed ?? (workload.sync === 'sync' || (workload.sync === 'mixed' && k % 2 === 0))
    batches.push({ ops, sync })
    models.push(applyModel(models[k - 1], ops))
    fs.mark('issue', k, sync)
    return write(sync).then(() => fs.mark('ack', k, sync))
  }
  const put = (key: string, value: string): Promise<void> =>
    issue([{ type: 'put', key, value }], async sync => await db.put(key, value, { sync } as object))

  await put('a', 'v0')
  for (const step of workload.steps) {
    const n = ++counter
    switch (step) {
      case 'put':
        await put(['a', 'b', 'c'][n % 3], `v${n}`)
        break
      case 'del':
        await issue([{ type: 'del', key: 'a' }], async sync => await db.del('a', { sync } as object))
        break
      case 'batch': {
        const ops: ModelOp[] = [{ type: 'put', key: 'b', value: `b${n}` }, { type: 'del', key: 'c' }, { type: 'put', key: `k${n}`, value: 'x'.repeat(n * 7) }]
        await issue(ops, async sync => await db.batch(ops.map(op => op.type === 'put' ? op : { type: 'del', key: (op as { key: string }).key }), { sync } as object))
        break
      }
      case 'clear':
        await issue([{ type: 'clear', range: { gte: 'b', lt: 'k' } }], async () => await db.clear({ gte: 'b', lt: 'k' }), options.sync)
        break
      case 'clear-limit':
        await issue([{ type: 'clear', range: { limit: 1, reverse: true } }], async () => await db.clear({ limit: 1, reverse: true }), options.sync)
        break
      case 'big':
        await put(`big${n}`, String(n % 10).repeat(6000))
        break
      case 'group':
        // Three writers at once: the first commits alone, the other two share a group (one append, one sync).
        // They start on a turn of their own: the engine lets a run of writes go on for 4 ms of wall
        // time before a writer waits for a turn (engine.ts, #fairTurn), and counted from the steps
        // before, those 4 ms could run out between the second writer and the third (about one run
        // in 30 split the group that way).
        await new Promise(resolve => setImmediate(resolve))
        await Promise.all([put('g1', `${n}`), put('g2', `${n}`), issue([{ type: 'del', key: 'a' }, { type: 'put', key: 'g3', value: `${n}` }],
          async sync => await db.batch([{ type: 'del', key: 'a' }, { type: 'put', key: 'g3', value: `${n}` }], { sync } as object))])
        break
      case 'checkpoint': {
        const result = await db.checkpoint()
        fs.mark('durable', result.seq)
        break
      }
      case 'reopen':
        await db.close()
        fs.mark('durable', batches.length)
        db = await openDb(fs, options)
        break
    }
  }
  await db.close()
  fs.mark('durable', batches.length)
  return { workload, fs, batches, models }
}
