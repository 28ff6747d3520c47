/**
 * The trace linter: checks the order of a recorded file-system trace against
 * the write-ordering rules the engine promises (docs/CRASH-SAFETY.md,
 * guarantees 6, 8 and 13; docs/FORMAT.md sections 4 and 5). It reads the marks the test drivers add:
 *
 *   ack <seq> (flag: synced)  the write of the batch with that sequence number resolved
 *   durable <seq>             everything up to there is claimed durable (checkpoint, close)
 *   open-start                an open() began (a new instance)
 *
 * Rules:
 *   write-before-ack   a batch is acknowledged only after a write holding its
 *                      whole frame completed;
 *   sync-before-ack    a synced batch only after a successful sync of that
 *                      segment following the write, and a directory sync
 *                      after the segment was created;
 *   no-use-after-failed-sync
 *                      no write, truncate or sync of a file after a sync of it
 *                      failed, and no retried directory sync, within one
 *                      instance (until the next open-start);
 *   publish-before-retire
 *                      no segment or snapshot is deleted while the rename of a
 *                      snapshot into place is not yet made durable;
 *   durable-claims     at `durable`, no un-synced log data and no un-synced
 *                      create or rename of a segment or snapshot;
 *   own-names-only     nothing is deleted or renamed in the database directory
 *                      unless its name is one of ours.
 */
import { posix } from 'node:path'
import type { TraceEvent } from '../sim/trace'
import { classify } from '../../../lib/store/file-names'
import { decodeRecord } from '../../../lib/store/batch-record'
import { FRAME_HEADER_SIZE } from '../../../lib/wal/format'
import { isAllZero, readU32LE } from '../../../lib/bytes'

interface FrameWrite { index: number, node: number }

interface NodeInfo {
  /** Trace index of the last successful write not yet covered by a sync, or -1. */
  unsyncedSince: number
  lastSync: number
  syncFailed: boolean
  /** Trace index of the create (or rename/link into a name of ours) not yet covered by a directory sync, or -1. */
  nameUnsyncedSince: number
  isSegment: boolean
}

/** Lints a trace of operations on the database in `directory`; returns the violations found. */
export function lintTrace (trace: readonly TraceEvent[], directory: string): string[] {
  const problems: string[] = []
  const nodes = new Map<number, NodeInfo>()
  const frames = new Map<number, FrameWrite>()
  let pendingPublish: number[] = []
  // Names in the directory and the nodes they stand for, as far as the trace shows them.
  const linked = new Map<string, number>()
  // A node no name leads to any more: what it holds no longer matters.
  const unlinked = (id: number | undefined): void => {
    if (id !== undefined && ![...linked.values()].includes(id)) nodes.delete(id)
  }
  let dirSyncFailed = false
  const info = (id: number): NodeInfo => {
    let n = nodes.get(id)
    if (n === undefined) {
      n = { unsyncedSince: -1, lastSync: -1, syncFailed: false, nameUnsyncedSince: -1, isSegment: false }
      nodes.set(id, n)
    }
    return n
  }
  const report = (event: TraceEvent, rule: string, what: string): void => {
    if (problems.length < 20) problems.push(`${rule} at trace event ${event.index}: ${what}`)
  }

  for (const event of trace) {
    if (event.type === 'mark') {
      if (event.label === 'open-start') {
        dirSyncFailed = false
        for (const n of nodes.values()) n.syncFailed = false
      } else if (event.label === 'ack') {
        checkAck(event.index, event.value, event.flag, frames, nodes, e => report(event, e.rule, e.what))
      } else if (event.label === 'durable') {
        for (const [id, n] of nodes) {
          if (n.isSegment && n.unsyncedSince >= 0) report(event, 'durable-claims', `segment node ${id} has log data written at ${n.unsyncedSince} and never synced`)
          if (n.nameUnsyncedSince >= 0) report(event, 'durable-claims', `the name of node ${id} (created at ${n.nameUnsyncedSince}) is not yet durable`)
        }
      }
      continue
    }
    if (event.error !== undefined) {
      if (event.op === 'sync' && event.node !== undefined) info(event.node).syncFailed = true
      if (event.op === 'syncDirectory' && inDirectory(event.path, directory, true)) dirSyncFailed = true
      continue
    }
    const name = inDirectory(event.path, directory) ? posix.basename(event.path) : null
    switch (event.op) {
      case 'open':
      case 'write':
      case 'truncate':
      case 'sync': {
        if (event.node === undefined) break
        const n = info(event.node)
        if (name !== null && classify(name).kind === 'segment') n.isSegment = true
        if (event.op === 'open') {
          if (name !== null) linked.set(name, event.node)
          if (event.mode === 'create' && name !== null && isRecoveryRelevant(name)) n.nameUnsyncedSince = event.index
          break
        }
        if (n.syncFailed) report(event, 'no-use-after-failed-sync', `${event.op} of ${event.path} after a sync of it failed`)
        if (event.op === 'sync') {
          n.lastSync = event.index
          n.unsyncedSince = -1
        } else {
          // An unsynced truncate only cuts off bytes of a rejected write (a failed append's
          // cut-back): losing it leaves a torn tail at worst. Only writes carry data, and
          // zeros written ahead of the frames (wal/writer.ts) carry none: losing them
          // leaves a shorter file.
          if (n.unsyncedSince < 0 && event.op === 'write' && !(event.data !== undefined && isAllZero(event.data))) n.unsyncedSince = event.index
          if (event.op === 'write' && n.isSegment && event.offset !== undefined && event.offset > 0 && event.data !== undefined) {
            for (const seq of framesIn(event.data)) frames.set(seq, { index: event.index, node: event.node })
          }
        }
        break
      }
      case 'rename':
      case 'link':
      case 'unlink': {
        if (name === null) break
        const target = event.to !== undefined ? posix.basename(event.to) : null
        if (event.op !== 'link' && classify(name).kind === 'unknown') report(event, 'own-names-only', `${event.op} of ${name}, not a name of ours`)
        if (target !== null && classify(target).kind === 'unknown') report(event, 'own-names-only', `${event.op} to ${target}, not a name of ours`)
        if (event.op === 'unlink' && isRecoveryRelevant(name) && pendingPublish.length > 0) {
          report(event, 'publish-before-retire', `${name} deleted while the snapshot rename at ${pendingPublish[0]} is not durable`)
        }
        if (event.op === 'rename' && target !== null && classify(target).kind === 'snapshot') pendingPublish.push(event.index)
        if (target !== null && isRecoveryRelevant(target) && event.node !== undefined) info(event.node).nameUnsyncedSince = event.index
        const replaced = target !== null ? linked.get(target) : undefined
        if (event.op === 'rename' || event.op === 'unlink') {
          const gone = linked.get(name)
          linked.delete(name)
          if (event.op === 'unlink') unlinked(gone)
        }
        if (target !== null && event.node !== undefined) {
          linked.set(target, event.node)
          if (replaced !== event.node) unlinked(replaced)
        }
        break
      }
      case 'syncDirectory':
        if (!inDirectory(event.path, directory, true)) break
        if (dirSyncFailed) report(event, 'no-use-after-failed-sync', 'directory sync retried after a failed one')
        pendingPublish = []
        for (const n of nodes.values()) n.nameUnsyncedSince = -1
        break
      default:
        break
    }
  }
  return problems
}

function checkAck (
  index: number, seq: number, synced: boolean, frames: Map<number, FrameWrite>, nodes: Map<number, NodeInfo>,
  report: (e: { rule: string, what: string }) => void
): void {
  const frame = frames.get(seq)
  if (frame === undefined || frame.index > index) {
    report({ rule: 'write-before-ack', what: `batch ${seq} acknowledged before a write holding its frame completed` })
    return
  }
  if (!synced) return
  const n = nodes.get(frame.node)
  if (n === undefined || n.lastSync < frame.index || (n.unsyncedSince >= 0 && n.unsyncedSince <= frame.index)) {
    report({ rule: 'sync-before-ack', what: `synced batch ${seq} acknowledged before a sync covering its write at ${frame.index}` })
  } else if (n.nameUnsyncedSince >= 0) {
    report({ rule: 'sync-before-ack', what: `synced batch ${seq} acknowledged while its segment's name is not durable` })
  }
}

// Sequence numbers of the complete frames in a buffer of whole frames.
function framesIn (data: Uint8Array): number[] {
  const out: number[] = []
  let at = 0
  while (at + FRAME_HEADER_SIZE <= data.length) {
    const length = readU32LE(data, at)
    if (at + FRAME_HEADER_SIZE + length > data.length) break
    const decoded = decodeRecord(data.subarray(at + FRAME_HEADER_SIZE, at + FRAME_HEADER_SIZE + length))
    if (decoded.ok) out.push(decoded.record.seq)
    at += FRAME_HEADER_SIZE + length
  }
  return out
}

function isRecoveryRelevant (name: string): boolean {
  const kind = classify(name).kind
  return kind === 'segment' || kind === 'snapshot'
}

function inDirectory (path: string, directory: string, itself = false): boolean {
  const resolved = posix.resolve('/', path)
  return itself ? resolved === directory : posix.dirname(resolved) === directory
}
