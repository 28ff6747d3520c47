/**
 * The chosen-key attack on the treap's shape, and the salt as the defense
 * (docs/MERKLE.md, "Adversarial keys"):
 *
 *     npm run build && node dist/benchmarks/adversarial-keys.js [candidates=200000] [honest=100000]
 *
 * The attacker hashes `candidates` keys under a fresh prefix with the public
 * priority formula, SHA-256(0x03 ‖ salt ‖ key), and keeps the longest run
 * whose keys ascend while their priorities descend (patience sorting): those
 * keys form one chain, each the right child of the one before. The chain is
 * written into a database of `honest` ordinary keys that is
 *   (a) unsalted (the salt the attacker assumed),
 *   (b) created with salt 'random' (the attacker ground against no salt),
 *   (c) salted, attacked again by someone who read its salt (from a proof).
 * For each: the depth of the deepest key (nodes on its proof path), the
 * tree's depth from db.check(), the time of one synced-to-OS update of the
 * deepest key against an honest key, and the proof size of the deepest key.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MerkleLevel, encodeProof } from '../index'

const candidates = Number(process.argv[2] ?? 200_000)
const honest = Number(process.argv[3] ?? 100_000)

// The leading 48 bits of a key's priority: what the attacker ranks by (ties are negligible).
function priority (salt: Uint8Array, key: string): number {
  const d = createHash('sha256').update(Uint8Array.of(0x03)).update(salt).update(key).digest()
  return d.readUIntBE(0, 6)
}

/** The longest run of keys (ascending) whose priorities strictly descend; O(m log m). */
function grind (salt: Uint8Array, prefix: string): { chain: string[], seconds: number } {
  const started = process.hrtime.bigint()
  const keys = Array.from({ length: candidates }, (_, i) => `${prefix}${String(i).padStart(8, '0')}`)
  const prios = keys.map(k => priority(salt, k))
  // Longest strictly decreasing subsequence: patience piles over negated priorities.
  const tails: number[] = []
  const parent = new Int32Array(candidates).fill(-1)
  for (let i = 0; i < candidates; i++) {
    let lo = 0
    let hi = tails.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (prios[tails[mid]] > prios[i]) lo = mid + 1
      else hi = mid
    }
    if (lo > 0) parent[i] = tails[lo - 1]
    tails[lo] = i
  }
  const chain: string[] = []
  for (let i = tails[tails.length - 1]; i >= 0; i = parent[i]) chain.push(keys[i])
  chain.reverse()
  return { chain, seconds: Number(process.hrtime.bigint() - started) / 1e9 }
}

async function perUpdateMicros (db: MerkleLevel, key: string): Promise<number> {
  const rounds = 300
  await db.put(key, 'warm', { sync: false } as never)
  const started = process.hrtime.bigint()
  for (let i = 0; i < rounds; i++) {
    await db.put(key, `v${i}`, { sync: false } as never)
    await db.root()
  }
  return Number(process.hrtime.bigint() - started) / 1e3 / rounds
}

async function measure (label: string, dir: string, salt: 'random' | undefined, chainFor: (db: MerkleLevel) => { chain: string[], seconds: number }): Promise<void> {
  const db = new MerkleLevel(join(dir, label.replace(/\W+/g, '-')), { sync: false, salt })
  for (let from = 0; from < honest; from += 10_000) {
    const ops = []
    for (let i = from; i < Math.min(honest, from + 10_000); i++) ops.push({ type: 'put' as const, key: createHash('sha256').update(String(i)).digest('hex').slice(0, 16), value: 'honest' })
    await db.batch(ops)
  }
  const { chain, seconds } = chainFor(db)
  await db.batch(chain.map(key => ({ type: 'put' as const, key, value: 'chosen' })))
  const deepest = chain[chain.length - 1]
  const proof = await db.prove(deepest)
  const depth = proof.nodes.filter(n => n.type === 'entry' || n.type === 'path').length
  const honestKey = createHash('sha256').update('7').digest('hex').slice(0, 16)
  const honestDepth = (await db.prove(honestKey)).nodes.filter(n => n.type === 'entry' || n.type === 'path').length
  const check = await db.check()
  const deepCost = await perUpdateMicros(db, deepest)
  const honestCost = await perUpdateMicros(db, honestKey)
  console.log(`${label}: ground ${candidates} candidates in ${seconds.toFixed(2)} s -> chain of ${chain.length}; ` +
    `deepest chosen key at depth ${depth} (an honest key: ${honestDepth}; tree depth ${check.depth}); ` +
    `update + root ${deepCost.toFixed(0)} us (honest key ${honestCost.toFixed(0)} us); proof ${encodeProof(proof).length} B (honest ${encodeProof(await db.prove(honestKey)).length} B)`)
  await db.close()
}

async function main (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'merkle-level-attack-'))
  try {
    console.log(`${honest} honest keys plus the attacker's chain`)
    await measure('(a) no salt', dir, undefined, () => grind(new Uint8Array(0), 'atk/'))
    await measure('(b) salt random, attacker ground against no salt', dir, 'random', () => grind(new Uint8Array(0), 'atk/'))
    await measure('(c) salt random, attacker knows the salt', dir, 'random', db => grind(db.treeParams?.salt as Uint8Array, 'atk/'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
