/**
 * The physical bound of synced writes on the disk the databases live on:
 * append 100 bytes to a file and fdatasync it, in a loop, timing each
 * round. A database that syncs every write one at a time cannot beat
 * 1 / (median latency). Measured twice: with synchronous calls (the disk's
 * own latency) and through fs.promises, as an engine on Node.js pays it
 * (a hop to the libuv thread pool and back).
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { median, now } from '../timing'
import type { LoopLimit } from '../timing'
import type { Suite } from './context'

const RECORD = new Uint8Array(100).fill(0x61)

function syncLatencies (path: string, limit: LoopLimit): number[] {
  const fd = openSync(path, 'w')
  const latencies: number[] = []
  try {
    const started = now()
    while (latencies.length < limit.maxOps && (latencies.length === 0 || now() - started < limit.maxMs)) {
      const t = now()
      writeSync(fd, RECORD)
      fdatasyncSync(fd)
      latencies.push(now() - t)
    }
  } finally {
    closeSync(fd)
  }
  return latencies
}

async function asyncLatencies (path: string, limit: LoopLimit): Promise<number[]> {
  const handle = await open(path, 'w')
  const latencies: number[] = []
  try {
    const started = now()
    while (latencies.length < limit.maxOps && (latencies.length === 0 || now() - started < limit.maxMs)) {
      const t = now()
      await handle.write(RECORD)
      await handle.datasync()
      latencies.push(now() - t)
    }
  } finally {
    await handle.close()
  }
  return latencies
}

/** Median latency of write + fdatasync, both ways, and the bound it sets. */
export const fsync: Suite = async context => {
  const latency = median(syncLatencies(join(context.dir, 'fsync-probe'), context.plan.fsyncs))
  const asyncLatency = median(await asyncLatencies(join(context.dir, 'fsync-probe-async'), context.plan.fsyncs))
  return { 'fsync-ms': latency, 'fsync-async-ms': asyncLatency, 'fsync-bound': 1000 / latency }
}
