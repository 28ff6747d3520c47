/**
 * Proof sizes and proof speed at scale, through the public surface only:
 *
 *     npm run build && node dist/benchmarks/proofs.js [entries=1000000] [dir]
 *
 * Loads `entries` entries (12-byte keys, 32-byte values) into a fresh
 * database, then measures encoded proof sizes (inclusion, absence, a range
 * of 100) and prove / verify operations per second, single-threaded.
 * Verification uses merkle-level/verify (pure-JavaScript SHA-256), as a
 * browser or light client would.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MerkleLevel } from '../index'
import { key, random, value } from './proof-data'
import { encodeProof, verifyProof, verifyRangeProof } from '../verify'

const entries = Number(process.argv[2] ?? 1_000_000)
const base = process.argv[3] ?? tmpdir()

async function timed<T> (count: number, fn: (i: number) => Promise<T> | T): Promise<{ results: T[], perSecond: number }> {
  const results: T[] = []
  const started = process.hrtime.bigint()
  for (let i = 0; i < count; i++) results.push(await fn(i))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  return { results, perSecond: count / seconds }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

async function main (): Promise<void> {
  const dir = mkdtempSync(join(base, 'merkle-level-proofs-'))
  try {
    const db = new MerkleLevel(join(dir, 'db'), { sync: false })
    const loadStart = Date.now()
    for (let from = 0; from < entries; from += 10_000) {
      const ops = []
      for (let i = from; i < Math.min(entries, from + 10_000); i++) ops.push({ type: 'put' as const, key: key(i), value: value(i) })
      await db.batch(ops)
    }
    const root = await db.root()
    console.log(`loaded ${entries} entries in ${((Date.now() - loadStart) / 1000).toFixed(1)} s; depth ${(await db.check()).depth}`)

    const samples = 2000
    const inclusion = await timed(samples, async () => encodeProof(await db.prove(key(random(entries)))))
    const absence = await timed(samples, async () => encodeProof(await db.prove(key(random(entries)) + '~')))
    const ranges = await timed(200, async () => encodeProof(await db.proveRange({ gte: key(random(entries - 100)), limit: 100 })))
    const verifyIn = await timed(samples, i => verifyProof(root, inclusion.results[i]))
    const verifyAbs = await timed(samples, i => verifyProof(root, absence.results[i]))
    const verifyRange = await timed(200, i => verifyRangeProof(root, ranges.results[i]))
    if (verifyIn.results.some(f => !f.present) || verifyAbs.results.some(f => f.present) || verifyRange.results.some(f => f.entries.length !== 100)) {
      throw new Error('a proof did not prove what it should')
    }
    const sizes = (xs: Uint8Array[]): string => `${Math.round(mean(xs.map(x => x.length)))} B mean, ${Math.max(...xs.map(x => x.length))} B max`
    console.log(`entries: ${entries}`)
    console.log(`inclusion proof: ${sizes(inclusion.results)}; prove ${Math.round(inclusion.perSecond)}/s, verify ${Math.round(verifyIn.perSecond)}/s`)
    console.log(`absence proof:   ${sizes(absence.results)}; prove ${Math.round(absence.perSecond)}/s, verify ${Math.round(verifyAbs.perSecond)}/s`)
    console.log(`range of 100:    ${sizes(ranges.results)}; prove ${Math.round(ranges.perSecond)}/s, verify ${Math.round(verifyRange.perSecond)}/s`)
    await db.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
