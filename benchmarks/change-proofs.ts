/**
 * Change proof sizes and speed, through the public surface only:
 *
 *     npm run build && node dist/benchmarks/change-proofs.js [entries=100000] [dir]
 *
 * Loads `entries` entries (12-byte keys, 32-byte values) into a fresh
 * database, then proves batches of 1, 10, 100 and 1,000 operations (each at
 * random a put of a new key, an update or a delete of a random key) with
 * db.proveChange, and verifies them with merkle-level/verify (pure-JavaScript
 * SHA-256). Prints the encoded sizes and the time per proof and per check.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MerkleLevel } from '../index'
import { key, random, value } from './proof-data'
import type { ChangeOperation } from '../index'
import { encodeChangeProof, verifyChangeProof } from '../verify'

const entries = Number(process.argv[2] ?? 100_000)
const base = process.argv[3] ?? tmpdir()

// New keys fall between existing ones (a key with '~' appended), anywhere in the tree.
function batch (size: number): ChangeOperation[] {
  const ops: ChangeOperation[] = []
  for (let j = 0; j < size; j++) {
    const kind = random(3)
    if (kind === 0) ops.push({ type: 'put', key: key(random(entries)) + '~', value: value(j) })
    else if (kind === 1) ops.push({ type: 'put', key: key(random(entries)), value: value(j) })
    else ops.push({ type: 'del', key: key(random(entries)) })
  }
  return ops
}

async function main (): Promise<void> {
  const dir = mkdtempSync(join(base, 'merkle-level-change-proofs-'))
  try {
    const db = new MerkleLevel(join(dir, 'db'), { sync: false })
    for (let from = 0; from < entries; from += 10_000) {
      const ops = []
      for (let i = from; i < Math.min(entries, from + 10_000); i++) ops.push({ type: 'put' as const, key: key(i), value: value(i) })
      await db.batch(ops)
    }
    console.log(`entries: ${entries}`)
    await db.proveChange(batch(100)) // warm-up
    for (const size of [1, 10, 100, 1000]) {
      const runs = 20
      let bytes = 0
      let proving = 0
      let checking = 0
      for (let r = 0; r < runs; r++) {
        const ops = batch(size)
        const started = process.hrtime.bigint()
        const { proof, from, to } = await db.proveChange(ops)
        const encoded = encodeChangeProof(proof)
        const proved = process.hrtime.bigint()
        if (verifyChangeProof(encoded, { from, to }).ops.length !== size) throw new Error('a proof did not prove its operations')
        checking += Number(process.hrtime.bigint() - proved) / 1e6
        proving += Number(proved - started) / 1e6
        bytes += encoded.length
      }
      console.log(`${size} operations: ${Math.round(bytes / runs)} B mean; prove ${(proving / runs).toFixed(1)} ms, verify ${(checking / runs).toFixed(1)} ms`)
    }
    await db.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
