/**
 * The machine a run measured: CPUs, memory, Node.js, the operating system,
 * the disk under the benchmark directory and how loaded the machine was
 * when the run began (a loaded machine gives noisy figures).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import os from 'node:os'

/** Facts about the machine, as RESULTS.md prints them. */
export interface Machine {
  cpus: number
  cpuModel: string
  memoryBytes: number
  node: string
  os: string
  disk: string
  loadAverage: number[]
}

// "ext4 on /dev/vda, reported rotational (/tmp)" from df and /sys; "unknown" where they are not available.
function describeDisk (directory: string): string {
  try {
    const lines = execFileSync('df', ['-PT', directory], { encoding: 'utf8' }).trim().split('\n')
    const [device, type] = (lines[lines.length - 1] ?? '').split(/\s+/)
    if (device === undefined || type === undefined) return 'unknown'
    return `${type} on ${device}${rotational(device)} (${directory})`
  } catch {
    return `unknown (${directory})`
  }
}

function rotational (device: string): string {
  try {
    const flag = readFileSync(`/sys/block/${basename(device)}/queue/rotational`, 'utf8').trim()
    // What the kernel says: virtual disks often claim to be rotational whatever backs them.
    return flag === '0' ? ', reported not rotational' : flag === '1' ? ', reported rotational' : ''
  } catch {
    return ''
  }
}

/** Describes this machine; `directory` is where the databases are written. */
export function describeMachine (directory: string): Machine {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    disk: describeDisk(directory),
    loadAverage: os.loadavg()
  }
}
