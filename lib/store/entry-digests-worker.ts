/**
 * The worker thread of entry-digests.ts: takes chunks of entries from the
 * shared queue, computes their digests into the shared output, says "done".
 */
import { parentPort, workerData } from 'node:worker_threads'
import { drainQueue } from './entry-digests'
import type { WorkerTask } from './entry-digests'

const task = workerData as WorkerTask
drainQueue(task.bytes, task.spans, task.salt, task.queue, task.out)
parentPort?.postMessage('done')
