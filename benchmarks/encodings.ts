/**
 * Reads through one encoding: N awaited gets in random order and one full
 * iteration, with string keys and values (`utf8`) or Buffers (`buffer`), on
 * a database of N entries (16-byte keys, 100-byte values). Prints one JSON
 * line; run it several times, alternating encodings, and take medians:
 *
 *     node dist/benchmarks/encodings.js utf8 100000
 *     node dist/benchmarks/encodings.js buffer 100000
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MerkleLevel } from '../index'

async function main (): Promise<void> {
  const [encoding = 'utf8', count = '100000'] = process.argv.slice(2)
  if (encoding !== 'utf8' && encoding !== 'buffer') throw new Error('The encoding must be utf8 or buffer')
  const n = Number(count)
  const dir = mkdtempSync(join(tmpdir(), 'encodings-bench-'))
  const db = new MerkleLevel<unknown, unknown>(join(dir, 'db'), { keyEncoding: encoding, valueEncoding: encoding, sync: false })
  await db.open()
  const text = Array.from({ length: n }, (_, i) => `key-${String(i).padStart(12, '0')}`)
  const keys = encoding === 'utf8' ? text : text.map(key => Buffer.from(key))
  const value = (i: number): unknown => encoding === 'utf8' ? `${i}`.padEnd(100, 'v') : Buffer.from(`${i}`.padEnd(100, 'v'))
  for (let i = 0; i < n; i += 1000) {
    await db.batch(keys.slice(i, i + 1000).map((key, j) => ({ type: 'put' as const, key, value: value(i + j) })))
  }
  // A fixed shuffle (a linear congruential generator), so that every run reads in the same order.
  const order = Array.from({ length: n }, (_, i) => i)
  let seed = 1
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j], order[i]]
  }

  let started = performance.now()
  let bytes = 0
  for (let i = 0; i < n; i++) bytes += ((await db.get(keys[order[i]])) as string | Buffer).length
  const getMs = performance.now() - started

  started = performance.now()
  const entries = await db.iterator().all()
  const iterateMs = performance.now() - started

  if (bytes !== n * 100 || entries.length !== n) throw new Error('The reads did not find every entry')
  await db.close()
  rmSync(dir, { recursive: true, force: true })
  console.log(JSON.stringify({ encoding, n, getMs: Math.round(getMs), getsPerSecond: Math.round(n / getMs * 1000), iterateMs: Math.round(iterateMs) }))
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
