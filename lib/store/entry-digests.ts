/**
 * The per-entry hashes of a snapshot being loaded — each key's priority and
 * each value's hash — computed on two cores. They do not depend on the tree's
 * shape, so a worker thread and this one share them out in chunks; the tree
 * is then built and only node hashes are left to compute. Small snapshots are
 * handled on this thread alone, and so is whatever a failing worker left.
 */
import { Worker } from 'node:worker_threads'
import { join } from 'node:path'
import { DIGEST_LENGTH, Tag, taggedHash2Prefix30, taggedHashInto } from '../hash'

/** Entries below this count are hashed on one thread: a worker costs tens of milliseconds to start. */
export const PARALLEL_THRESHOLD = 50000

/** Priorities and value hashes of entries, by index. */
export interface EntryDigests {
  priorities: Int32Array
  /** Value hashes, 32 bytes per entry. */
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

/** Entries per claim of the shared work queue: small enough that both threads finish together. */
const CHUNK = 4096

/**
 * The queue both threads take chunks from: slot 0 is the next unclaimed chunk,
 * slot 1 + c is 1 once chunk c is done (so that work a failed worker claimed
 * can be redone).
 */
export type WorkQueue = Int32Array

/** Takes and computes chunks until none is left. Shared by this thread and the worker. */
export function drainQueue (
  bytes: Uint8Array, spans: EntrySpans, salt: Uint8Array, queue: WorkQueue, out: EntryDigests
): void {
  const count = spans.length / 4
  for (let c = Atomics.add(queue, 0, 1); c * CHUNK < count; c = Atomics.add(queue, 0, 1)) {
    digestChunk(bytes, spans, salt, c, out)
    Atomics.store(queue, 1 + c, 1)
  }
}

function digestChunk (bytes: Uint8Array, spans: EntrySpans, salt: Uint8Array, chunk: number, out: EntryDigests): void {
  digestRange(bytes, spans, salt, chunk * CHUNK, Math.min(spans.length / 4, (chunk + 1) * CHUNK), out)
}

/**
 * Computes the digests of every entry, in parallel when there are many: this
 * thread and a worker take chunks from one queue, so neither waits for the
 * other longer than a chunk, however fast each runs.
 */
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
  const chunks = Math.ceil(count / CHUNK)
  const queue = new Int32Array(new SharedArrayBuffer(4 * (1 + chunks)))
  // The salt is copied (a Buffer's slice() would not copy): it may be a view into the snapshot's
  // bytes, and cloning a view for the worker clones the whole buffer behind it.
  const worker = runWorker({ bytes: sharedBytes, spans: sharedSpans, salt: Uint8Array.from(salt), queue, out })
  drainQueue(bytes, spans, salt, queue, out)
  if (!await worker) {
    // The worker could not start or died: compute whatever it claimed and did not finish.
    for (let c = 0; c < chunks; c++) {
      if (Atomics.load(queue, 1 + c) === 0) digestChunk(bytes, spans, salt, c, out)
    }
  }
  return out
}

/** What the worker receives (entry-digests-worker.ts). */
export interface WorkerTask {
  bytes: Uint8Array
  spans: EntrySpans
  salt: Uint8Array
  queue: WorkQueue
  out: EntryDigests
}

// Resolves true when the worker drained the queue, false if it could not run (the caller redoes its part).
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
