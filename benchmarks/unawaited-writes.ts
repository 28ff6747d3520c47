/**
 * N puts issued without awaiting any, then awaited together: how long it
 * takes to issue them, to see them all resolve (wall and CPU time), and
 * the peak resident memory, for merkle-level (in a fresh temporary directory) or memory-level.
 * One store per process, so that one's memory never counts against another's:
 *
 *     node dist/benchmarks/unawaited-writes.js merkle 100000 [--no-sync]
 *     node dist/benchmarks/unawaited-writes.js memory 100000
 *
 * Prints one JSON line. docs/PERFORMANCE.md has the figures.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryLevel } from 'memory-level'
import { MerkleLevel } from '../index'

interface Store {
  open: () => Promise<void>
  put: (key: string, value: string) => Promise<void>
  close: () => Promise<void>
}

async function main (): Promise<void> {
  const [kind = 'merkle', count = '100000'] = process.argv.slice(2)
  const sync = !process.argv.includes('--no-sync')
  const n = Number(count)
  const dir = mkdtempSync(join(tmpdir(), 'unawaited-'))
  const db: Store = kind === 'memory'
    ? new MemoryLevel<string, string>()
    : new MerkleLevel<string, string>(join(dir, 'db'), { sync, checkpointBytes: 0 })
  await db.open()
  const value = 'v'.repeat(100)
  const cpu = process.cpuUsage()
  const started = performance.now()
  const writes: Array<Promise<void>> = new Array(n)
  for (let i = 0; i < n; i++) writes[i] = db.put(`key-${String(i).padStart(8, '0')}`, value)
  const queued = performance.now()
  await Promise.all(writes)
  const resolved = performance.now()
  const used = process.cpuUsage(cpu)
  const stats = (db as { stats?: unknown }).stats
  await db.close()
  rmSync(dir, { recursive: true, force: true })
  console.log(JSON.stringify({
    store: kind,
    n,
    sync: kind === 'memory' ? null : sync,
    queueMs: Math.round(queued - started),
    totalMs: Math.round(resolved - started),
    cpuMs: Math.round((used.user + used.system) / 1000),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    stats
  }))
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
