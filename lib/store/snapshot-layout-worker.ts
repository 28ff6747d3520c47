/**
 * The worker thread of snapshot-layout.ts: lays out the snapshot's entries
 * into the shared output and replies with the problem found, if any.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { layoutHere } from './snapshot-layout'
import type { WorkerReply, WorkerTask } from './snapshot-layout'

const task = workerData as WorkerTask
const laidOut = layoutHere(task.bytes, task.count, { salt: task.salt }, task.out)
const reply: WorkerReply = laidOut.ok ? { ok: true } : laidOut
parentPort?.postMessage(reply)
