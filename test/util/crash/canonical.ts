/**
 * Canonical database files for corruption tests, written with the library's
 * own writers on a simulated disk: log segments of chosen batches and
 * snapshots of chosen generations, in any combination a crash could leave
 * (for example three segments and two snapshots, before a checkpoint deleted
 * what the newer snapshot covers).
 */
import { randomBytes } from 'node:crypto'
import { SimulatedFileSystem } from '../sim/simulated-file-system'
import type { DiskState } from '../sim/disk-state'
import { WalWriter } from '../../../lib/wal/writer'
import { FRAME_HEADER_SIZE } from '../../../lib/wal/format'
import { publishSnapshot } from '../version-1-writer'
import { encodeRecord, recordSize } from '../../../lib/store/batch-record'
import { encodeIdentity, newIdentity } from '../../../lib/store/identity'
import { segmentName, snapshotName } from '../../../lib/store/file-names'
import { DEFAULT_PARAMS } from '../../../lib/tree/params'
import { fromHex } from '../../../lib/bytes'
import { rootOf } from '../db'
import { SortedModel } from '../model'
import { LOCATION, applyModel } from './workload'
import type { ModelOp } from './workload'

/** Batch `k` of every canonical database: it moves key `last` and adds its own key. */
export function batchOps (k: number): ModelOp[] {
  const ops: ModelOp[] = [{ type: 'put', key: `k${k}`, value: 'v'.repeat(3 + k) }, { type: 'put', key: 'last', value: String(k) }]
  if (k % 3 === 0) ops.push({ type: 'del', key: `k${k - 2}` })
  return ops
}

/** models[k]: the state after batches 1..k. */
export function canonicalModels (n: number): SortedModel[] {
  const models = [new SortedModel()]
  for (let k = 1; k <= n; k++) models.push(applyModel(models[k - 1], batchOps(k)))
  return models
}

/** What to put on the disk: segments by their batch ranges, snapshots by their sequence numbers. */
export interface Layout {
  segments: Array<{ number: number, first: number, last: number }>
  snapshots: number[]
  /** The database identity (a fresh one by default: pass one to make a second file of the same database). */
  identity?: Uint8Array
}

/** A written layout: the disk, the files' paths and the identity used. */
export interface Canonical {
  state: DiskState
  identity: Uint8Array
  models: SortedModel[]
  /** Offsets of the frames in each segment (start of each frame, then the end of the last). */
  frames: Map<string, number[]>
}

const encoder = new TextEncoder()

/** Writes `layout` under the database location of a fresh simulated disk. */
export async function writeLayout (layout: Layout): Promise<Canonical> {
  const fs = new SimulatedFileSystem()
  await fs.mkdir(LOCATION)
  const identity = layout.identity ?? encodeIdentity(newIdentity(DEFAULT_PARAMS))
  const last = Math.max(0, ...layout.segments.map(s => s.last), ...layout.snapshots)
  const models = canonicalModels(last)
  const frames = new Map<string, number[]>()
  for (const segment of layout.segments) {
    const name = segmentName(segment.number)
    const writer = await WalWriter.create(fs, `${LOCATION}/${name}`, {
      identity, segment: segment.number, firstSeq: segment.first, salt: randomBytes(4).readUInt32LE(0)
    })
    const offsets = [writer.size]
    for (let k = segment.first; k <= segment.last; k++) {
      const ops = batchOps(k).map(op => op.type === 'put'
        ? { type: 'put' as const, key: encoder.encode(op.key), value: encoder.encode(op.value) }
        : { type: 'del' as const, key: encoder.encode((op as { key: string }).key) })
      const size = recordSize(ops)
      const buf = new Uint8Array(WalWriter.frameSize(size))
      encodeRecord(buf, FRAME_HEADER_SIZE, k, ops)
      writer.seal(buf, 0, size)
      await writer.append(buf)
      // Each batch synced, as the engine's default writes are: every frame records the ones before it as durable.
      await writer.sync()
      offsets.push(writer.size)
    }
    await writer.close()
    frames.set(name, offsets)
  }
  for (const seq of layout.snapshots) {
    const entries = models[seq].entries()
    await publishSnapshot({
      fs, directory: LOCATION, tempPath: `${LOCATION}/${snapshotName(seq)}.tmp-0000000000000000`, finalPath: `${LOCATION}/${snapshotName(seq)}`
    }, { identity, seq, count: entries.length, root: fromHex(rootOf(entries)) }, entries)
  }
  await fs.syncDirectory(LOCATION)
  return { state: fs.snapshot(), identity, models, frames }
}
