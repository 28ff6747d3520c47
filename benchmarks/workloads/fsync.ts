/**
 * The physical bound of synced writes on the disk the databases live on:
 * append 100 bytes to a file and fdatasync it, in a loop, timing each
 * round. A database that syncs every write one at a time cannot beat
 * 1 / (median latency). Measured two ways, alternating round by round so
 * that both see the same disk (other processes' writes share its journal):
 * with synchronous calls (the disk's own latency) and through fs.promises,
 * as an engine on Node.js pays it (a hop to the libuv thread pool and back).
 * A third loop writes into zeros written ahead instead of past the end, as
 * merkle-level's log does (docs/FORMAT.md): reported, not the bound, which
 * stays what appending to a file costs.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { median, now } from '../timing'
import type { Suite } from './context'

const RECORD = new Uint8Array(100).fill(0x61)
// Room for every round of the third loop.
const AHEAD_BYTES = 4 * 1024 * 1024

/** Median latency of write + fdatasync, each of the three ways, and the bound the first sets. */
export const fsync: Suite = async context => {
  const { maxOps, maxMs } = context.plan.fsyncs
  const fd = openSync(join(context.dir, 'fsync-probe'), 'w')
  const handle = await open(join(context.dir, 'fsync-probe-async'), 'w')
  const aheadFd = openSync(join(context.dir, 'fsync-probe-ahead'), 'w')
  writeSync(aheadFd, new Uint8Array(AHEAD_BYTES), 0, AHEAD_BYTES, 0)
  fdatasyncSync(aheadFd)
  const direct: number[] = []
  const pooled: number[] = []
  const ahead: number[] = []
  try {
    const started = now()
    while (direct.length < maxOps && (direct.length === 0 || now() - started < maxMs)) {
      let t = now()
      writeSync(fd, RECORD)
      fdatasyncSync(fd)
      direct.push(now() - t)
      t = now()
      await handle.write(RECORD)
      await handle.datasync()
      pooled.push(now() - t)
      t = now()
      writeSync(aheadFd, RECORD, 0, RECORD.length, (ahead.length * RECORD.length) % AHEAD_BYTES)
      fdatasyncSync(aheadFd)
      ahead.push(now() - t)
    }
  } finally {
    closeSync(fd)
    closeSync(aheadFd)
    await handle.close()
  }
  const latency = median(direct)
  return { 'fsync-ms': latency, 'fsync-async-ms': median(pooled), 'fsync-ahead-ms': median(ahead), 'fsync-bound': 1000 / latency }
}
