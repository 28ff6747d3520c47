/**
 * When this process started, as a string that tells it from an earlier
 * process with the same id (a container restarted as pid 1, say). On Linux it
 * is the kernel's record: the boot id and the start time in clock ticks since
 * boot (/proc/self/stat), exact and the same in every thread. Elsewhere it is
 * the start on the monotonic clock (now minus the process's uptime, which is
 * the whole process's in every thread), in milliseconds: threads compute it
 * alike to within microseconds, so two such values are compared with a
 * tolerance (sameProcessStart).
 */
import { readFileSync } from 'node:fs'

const LINUX = 'linux:'
const CLOCK = 'clock:'
// Threads of one process compute the monotonic start within microseconds of each other.
const CLOCK_TOLERANCE_MS = 1

function linuxStart (): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    const stat = readFileSync('/proc/self/stat', 'utf8')
    // Field 2 (the command name) may hold spaces and parentheses: count fields after its last ')'.
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
    if (boot === '' || ticks === undefined || !/^\d+$/.test(ticks)) return null
    return `${LINUX}${boot}:${ticks}`
  } catch {
    return null
  }
}

function clockStart (): string {
  const ms = Number(process.hrtime.bigint() / 1000n) / 1000 - process.uptime() * 1000
  return `${CLOCK}${ms.toFixed(3)}`
}

/** This process's start, computed once per thread. */
export const PROCESS_START: string = linuxStart() ?? clockStart()

/** True when two recorded starts (from PROCESS_START or a simulated disk) name the same process. */
export function sameProcessStart (a: string, b: string): boolean {
  if (a.startsWith(CLOCK) && b.startsWith(CLOCK)) {
    return Math.abs(Number(a.slice(CLOCK.length)) - Number(b.slice(CLOCK.length))) <= CLOCK_TOLERANCE_MS
  }
  return a === b
}
