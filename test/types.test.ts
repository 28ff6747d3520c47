/**
 * The published typings, as a consumer sees them: a small TypeScript project
 * in a temporary directory, with merkle-level linked into its node_modules,
 * compiled with the project's TypeScript in strict mode against the built
 * .d.ts files (run after `npm run build`). Lines marked @ts-expect-error must
 * fail to compile, so the test also fails when the types become too loose.
 */
import test from 'tape'
import { spawnSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempLocation } from './util/temp'

const ROOT = join(__dirname, '..', '..')
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')

const CONSUMER = `
import { MerkleLevel } from 'merkle-level'
import type { BackupResult, CheckpointResult, RecoveryReport, CheckReport, KeyProof, RangeProof, MerkleLevelOptions } from 'merkle-level'
import { verifyProof, verifyRangeProof, proofToJson, verifyChangeProof, encodeChangeProof } from 'merkle-level/verify'
import type { KeyProofResult, ChangeOp } from 'merkle-level/verify'

interface Account { owner: string, balance: number }

export async function use (location: string): Promise<void> {
  const options: MerkleLevelOptions<string, Account> = { valueEncoding: 'json', sync: false, checkpointBytes: 1 << 20, recovery: 'strict' }
  const db = new MerkleLevel<string, Account>(location, options)
  await db.put('a', { owner: 'ann', balance: 1 })
  await db.put('a', { owner: 'ann', balance: 1 }, { sync: true })
  // @ts-expect-error the value type is Account
  await db.put('a', 'text')
  // @ts-expect-error a misspelt option
  await db.put('a', { owner: 'ann', balance: 1 }, { snyc: true })
  const account: Account | undefined = await db.get('a')
  const text: string | undefined = await db.get<string, string>('a', { valueEncoding: 'utf8' })
  // @ts-expect-error get may resolve with undefined
  const sure: Account = await db.get('a')
  await db.del('a', { sync: false })
  await db.batch([{ type: 'put', key: 'b', value: { owner: 'bob', balance: 2 } }, { type: 'del', key: 'a' }], { sync: true })
  await db.batch().put('c', { owner: 'cy', balance: 3 }).write({ sync: true })
  const entries: Array<[string, Account]> = await db.iterator({ gte: 'a', limit: 10 }).all()
  const names: string[] = await db.keys().all()

  const root: Uint8Array = await db.root()
  // @ts-expect-error root() resolves with bytes
  const rootText: string = await db.root()
  const snapshot = db.snapshot()
  const then: Uint8Array = await db.root({ snapshot })
  await snapshot.close()
  const report: RecoveryReport | null = db.recovery
  const replayed: number | undefined = report?.recordsReplayed
  const checkpoint: CheckpointResult = await db.checkpoint()
  const backup: BackupResult = await db.backup(location + '-copy')
  const rootHex: string = backup.root
  const check: CheckReport = await db.check()

  const proof: KeyProof = await db.prove('b')
  const fact: KeyProofResult = verifyProof(root, proof)
  if (fact.present) {
    const value: Uint8Array = fact.value
  }
  const range: RangeProof = await db.proveRange({ gte: 'a', lt: 'z' })
  const all = verifyRangeProof(root, range).entries.map(e => e.key)
  const json = proofToJson(proof)
  const change = await db.proveChange([{ type: 'put', key: 'd', value: { owner: 'di', balance: 4 } }, { type: 'del', key: 'b' }])
  const changed: ChangeOp[] = verifyChangeProof(encodeChangeProof(change.proof), { from: change.from, to: change.to }).ops
  // @ts-expect-error a change proof needs both roots
  verifyChangeProof(change.proof, { from: change.from })

  const sub = db.sublevel<string, number>('counts', { valueEncoding: 'json' })
  await sub.put('x', 1, { sync: false })
  // @ts-expect-error the sublevel's values are numbers
  await sub.put('x', 'one')
  const n: number | undefined = await sub.get('x')
  await MerkleLevel.destroy(location + '-old')
  await db.close()
  void [account, text, sure, entries, names, rootText, then, replayed, checkpoint, rootHex, check, all, json, changed, n]
}
`

const ESM_CONSUMER = `
import { MerkleLevel } from 'merkle-level'
import { verifyProof } from 'merkle-level/verify'
const db = new MerkleLevel<string, string>('./db')
const proof = await db.prove('k')
const result = verifyProof(await db.root(), proof)
export const present: boolean = result.present
`

test('types: a strict consumer project compiles against the published typings', t => {
  const dir = tempLocation('consumer')
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(ROOT, join(dir, 'node_modules', 'merkle-level'), 'dir')
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }))
  writeFileSync(join(dir, 'consumer.ts'), CONSUMER)
  writeFileSync(join(dir, 'esm.mts'), ESM_CONSUMER)
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      lib: ['ES2022', 'ESNext.Disposable'],
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      exactOptionalPropertyTypes: false,
      noUnusedLocals: false,
      skipLibCheck: false
    },
    files: ['consumer.ts', 'esm.mts']
  }))
  const run = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' })
  t.equal(run.stdout + run.stderr, '', 'no diagnostics')
  t.equal(run.status, 0, 'tsc exits 0')
  t.end()
})
