/**
 * The worker thread of entry-digests.ts: computes the digests of its range of
 * entries into the shared output and says "done".
 */
import { parentPort, workerData } from 'node:worker_threads'
import { digestRange } from './entry-digests'
import type { EntryDigests, EntrySpans } from './entry-digests'

const task = workerData as { bytes: Uint8Array, spans: EntrySpans, salt: Uint8Array, from: number, to: number, out: EntryDigests }
digestRange(task.bytes, task.spans, task.salt, task.from, task.to, task.out)
parentPort?.postMessage('done')
