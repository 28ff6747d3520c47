/**
 * What the kernel says about this process: bytes written (/proc/self/io),
 * the resident-memory high-water mark (/proc/self/status VmHWM), and a
 * sampler of RSS every 100 ms for systems where VmHWM is missing.
 */
import { readFileSync } from 'node:fs'

/** I/O counters of /proc/self/io, in bytes; null where the file is missing (not Linux). */
export interface IoCounters {
  /** Bytes passed to write() and its kin, whether or not they reach the disk. */
  wchar: number
  /** Bytes this process caused to be sent to the storage layer. */
  writeBytes: number
  /** Bytes it dirtied and then truncated or deleted before they were written back. */
  cancelledWriteBytes: number
}

function field (text: string, name: string): number {
  const match = new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)
  if (match === null) throw new Error(`No ${name} in /proc/self`)
  return Number(match[1])
}

/** The counters now, or null where /proc/self/io is not available. */
export function readIo (): IoCounters | null {
  let text: string
  try {
    text = readFileSync('/proc/self/io', 'utf8')
  } catch {
    return null
  }
  return { wchar: field(text, 'wchar'), writeBytes: field(text, 'write_bytes'), cancelledWriteBytes: field(text, 'cancelled_write_bytes') }
}

/** VmHWM, the most resident memory this process has had, in bytes; null where not available. */
export function readPeakRss (): number | null {
  try {
    return field(readFileSync('/proc/self/status', 'utf8'), 'VmHWM') * 1024
  } catch {
    return null
  }
}

/** Samples process RSS every 100 ms for the life of the process; `peak()` is the largest seen or VmHWM, whichever is more. */
export function startRssSampler (): { peak: () => number } {
  let sampled = process.memoryUsage.rss()
  // unref: the sampler must not keep the process alive.
  setInterval(() => { sampled = Math.max(sampled, process.memoryUsage.rss()) }, 100).unref()
  return { peak: () => Math.max(sampled, process.memoryUsage.rss(), readPeakRss() ?? 0) }
}
