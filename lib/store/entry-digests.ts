/**
 * The per-entry hashes of a snapshot being loaded — each key's priority and
 * each value's hash — computed on two cores. They do not depend on the tree's
 * shape, so a worker thread computes those of the first half while this
 * thread computes the second; the tree is then built and only node hashes
 * are left to compute. Loading a large snapshot is dominated by hashing,
 * so this takes about a third off open(). Small snapshots, or a failing
 * worker, are handled on this thread alone.
 */
import { Worker } from 'node:worker_threads'
import { join } from 'node:path'
import { DIGEST_LENGTH, Tag, taggedHash2Prefix30, taggedHashInto } from '../hash'

/** Entries below this count are hashed on one thread: a worker costs tens of milliseconds to start. */
export const PARALLEL_THRESHOLD = 50000

/** Priorities and value hashes of entries, by index. */
export interface EntryDigests {
  priorities: Int32Array
  valueHashes: Uint8Array
}

/** Where the entries lie in `bytes`: key offset, key length, value offset, value length per entry. */
export type EntrySpans = Uint32Array

/** Fills `out` for entries [from, to). Shared by this thread and the worker. */
export function digestRange (bytes: Uint8Array, spans: EntrySpans, salt: Uint8Array, from: number, to: number, out: EntryDigests): void {
  for (let i = from; i < to; i++) {
    const k = spans[4 * i]
    const v = spans[4 * i + 2]
    out.priorities[i] = taggedHash2Prefix30(Tag.priority, salt, bytes.subarray(k, k + spans[4 * i + 1]))
    taggedHashInto(Tag.value, bytes.subarray(v, v + spans[4 * i + 3]), out.valueHashes, i * DIGEST_LENGTH)
  }
}

/** Computes the digests of every entry, in parallel when there are many. */
export async function entryDigests (bytes: Uint8Array, spans: EntrySpans, salt: Uint8Array): Promise<EntryDigests> {
  const count = spans.length / 4
  if (count < PARALLEL_THRESHOLD) {
    const out = { priorities: new Int32Array(count), valueHashes: new Uint8Array(count * DIGEST_LENGTH) }
    digestRange(bytes, spans, salt, 0, count, out)
    return out
  }
  const sharedBytes = new Uint8Array(new SharedArrayBuffer(bytes.length))
  sharedBytes.set(bytes)
  const sharedSpans = new Uint32Array(new SharedArrayBuffer(spans.byteLength))
  sharedSpans.set(spans)
  const out = {
    priorities: new Int32Array(new SharedArrayBuffer(count * 4)),
    valueHashes: new Uint8Array(new SharedArrayBuffer(count * DIGEST_LENGTH))
  }
  const half = Math.floor(count / 2)
  const worker = runWorker({ bytes: sharedBytes, spans: sharedSpans, salt, from: 0, to: half, out })
  digestRange(bytes, spans, salt, half, count, out)
  const ok = await worker
  if (!ok) digestRange(bytes, spans, salt, 0, half, out)
  return out
}

interface WorkerTask {
  bytes: Uint8Array
  spans: EntrySpans
  salt: Uint8Array
  from: number
  to: number
  out: EntryDigests
}

// Resolves true when the worker filled its range, false if it could not run (the caller redoes it).
function runWorker (task: WorkerTask): Promise<boolean> {
  return new Promise(resolve => {
    let worker: Worker
    try {
      worker = new Worker(join(__dirname, 'entry-digests-worker.js'), { workerData: task })
    } catch {
      resolve(false)
      return
    }
    worker.once('message', (message: unknown) => resolve(message === 'done'))
    worker.once('error', () => resolve(false))
    worker.once('exit', () => resolve(false))
  })
}
