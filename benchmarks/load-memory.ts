/**
 * Memory while loading: `entries` entries (16-byte keys, 100-byte values,
 * the large benchmark's data) written in batches of 1000 with `sync: false`
 * and the default options, in this process, with Node's default flags.
 * Prints, every 10^6 entries, the resident memory and live heap sampled
 * every 20 ms since the last line, and at the end the load's time and the
 * peaks:
 *
 *     npm run build && node dist/benchmarks/load-memory.js [entries=2000000] [dir]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MerkleLevel } from '../index'
import { batchOps } from './large/data'

const MiB = 2 ** 20

async function main (): Promise<void> {
  const entries = Number(process.argv[2] ?? 2_000_000)
  if (!Number.isSafeInteger(entries) || entries <= 0) throw new Error('entries must be a positive integer')
  const dir = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'merkle-level-load-'))
  const location = join(dir, 'db')
  const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
  await db.open()
  let peak = { rss: 0, heap: 0 }
  let window = { rss: 0, heap: 0 }
  const sample = setInterval(() => {
    const m = process.memoryUsage()
    window = { rss: Math.max(window.rss, m.rss), heap: Math.max(window.heap, m.heapUsed) }
  }, 20)
  const started = performance.now()
  for (let at = 0; at < entries; at += 1000) {
    await db.batch(batchOps(at, Math.min(entries, at + 1000)), { sync: false })
    const done = Math.min(entries, at + 1000)
    if (done % 1_000_000 === 0 || done === entries) {
      peak = { rss: Math.max(peak.rss, window.rss), heap: Math.max(peak.heap, window.heap) }
      const seconds = ((performance.now() - started) / 1000).toFixed(1)
      process.stdout.write(`${done} entries, ${seconds} s: resident up to ${(window.rss / MiB).toFixed(0)} MiB, live heap up to ${(window.heap / MiB).toFixed(0)} MiB\n`)
      window = { rss: 0, heap: 0 }
    }
  }
  const loaded = (performance.now() - started) / 1000
  await db.close()
  clearInterval(sample)
  peak = { rss: Math.max(peak.rss, window.rss), heap: Math.max(peak.heap, window.heap) }
  process.stdout.write(`loaded ${entries} entries in ${loaded.toFixed(1)} s (closed after ${((performance.now() - started) / 1000).toFixed(1)} s); peak resident ${(peak.rss / MiB).toFixed(0)} MiB, peak live heap ${(peak.heap / MiB).toFixed(0)} MiB\n`)
  if (process.argv[3] === undefined) rmSync(dir, { recursive: true, force: true })
}

main().catch(err => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
