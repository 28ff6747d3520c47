/**
 * The tree layout of a snapshot being loaded (lib/tree/build.ts): every
 * priority, value hash and node hash, and the tree's shape, computed from
 * the file's bytes alone. For a large snapshot a worker thread computes it
 * from a copy of the file in shared memory, into shared memory, while this
 * thread parses the entries into views of its own copy and makes their
 * nodes, so that opening costs about the larger of the two
 * instead of their sum. A small snapshot, or one whose worker could not run,
 * is laid out on this thread.
 */
import { Worker } from 'node:worker_threads'
import { join } from 'node:path'
import { bytesEqual } from '../bytes'
import { readEntrySpans } from '../snapshot/reader'
import { decodeSnapshotHeader } from '../snapshot/format'
import { layoutTree, newTreeLayout } from '../tree/build'
import type { TreeLayout } from '../tree/build'
import type { TreeParams } from '../tree/params'
import type { Result } from '../result'

/** The worker's script (tests give {@link layoutSnapshot} one that fails, to see the work redone here). */
const WORKER_FILE = join(__dirname, 'snapshot-layout-worker.js')

/** Snapshots of fewer entries are laid out on this thread: a worker costs tens of milliseconds to start. */
export const PARALLEL_THRESHOLD = 50000

/** A tree layout, or why the entries could not be laid out. */
export type LayoutResult = Result<{ layout: TreeLayout }>

/** A layout being computed. */
export interface LayoutJob {
  /** The layout, or why the entries could not be laid out. */
  readonly result: Promise<LayoutResult>
  /** Stops the work (the caller found the snapshot unusable on its own). */
  cancel: () => void
}

/** What the worker receives (snapshot-layout-worker.ts). */
export interface WorkerTask {
  bytes: Uint8Array
  count: number
  salt: Uint8Array
  out: TreeLayout
}

/** What the worker sends back when it is done (the layout is in the task's `out`), or why the entries could not be laid out. */
export type WorkerReply = Result<object>

/** Whether the snapshot whose header is `head` says it has enough entries to be laid out by a worker. */
export function worthAWorker (head: Uint8Array): boolean {
  const header = decodeSnapshotHeader(head)
  return header.ok && header.header.count >= PARALLEL_THRESHOLD
}

/**
 * Lays out the `count` entries of the snapshot in `bytes` (whose header and
 * footer were validated). In a worker when `shared`, a copy of the same file
 * in shared memory, is given (the caller reads one when {@link worthAWorker}).
 * The copies are compared once the worker is done, when this thread has
 * already read all of `bytes` (warm pages make the comparison cheap). If they
 * differ, or the worker cannot run, the layout is computed here.
 */
export function layoutSnapshot (
  bytes: Uint8Array, shared: Uint8Array | null, count: number, params: TreeParams, workerFile = WORKER_FILE
): LayoutJob {
  const here = (): LayoutResult => layoutHere(bytes, count, params)
  if (shared === null || shared.length !== bytes.length) return { result: Promise.resolve(here()), cancel: () => {} }
  const out = newTreeLayout(count, true)
  // The salt is copied (a Buffer's slice() would not copy): it may be a view into a file's
  // bytes, and cloning a view for the worker clones the whole buffer behind it.
  const task: WorkerTask = { bytes: shared, count, salt: Uint8Array.from(params.salt), out }
  let worker: Worker
  try {
    worker = new Worker(workerFile, { workerData: task })
  } catch {
    return { result: Promise.resolve(here()), cancel: () => {} }
  }
  let settle: (value: LayoutResult) => void = () => {}
  let settled = false
  const result = new Promise<LayoutResult>(resolve => {
    settle = value => {
      if (settled) return
      settled = true
      resolve(value)
    }
  })
  // A worker that could not start or died without replying: its work is redone here.
  const redo = (): void => { if (!settled) settle(here()) }
  worker.once('message', (reply: WorkerReply) => {
    if (!settled && !bytesEqual(shared, bytes)) settle(here())
    else settle(reply.ok ? { ok: true, layout: out } : reply)
  })
  worker.once('error', redo)
  worker.once('exit', redo)
  return {
    result,
    cancel: () => {
      settle({ ok: false, problem: 'cancelled' })
      void worker.terminate()
    }
  }
}

/** Lays out the entries on the calling thread (also what the worker runs). */
export function layoutHere (bytes: Uint8Array, count: number, params: TreeParams, out = newTreeLayout(count, false)): LayoutResult {
  const read = readEntrySpans(bytes, count)
  if (!read.ok) return read
  layoutTree({ bytes, spans: read.spans }, params, out)
  return { ok: true, layout: out }
}
