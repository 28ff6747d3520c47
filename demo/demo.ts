/**
 * `npm run demo`: what merkle-level does, in a few seconds, in a temporary
 * directory. Every step checks what it claims; the exit code is 0 only when
 * every check held.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { MerkleLevel } from '../index'
import { proofToJson, verifyProof } from '../verify'

let passed = 0
let failed = 0

function check (ok: boolean, claim: string): void {
  if (ok) passed++
  else failed++
  console.log(`   ${ok ? 'ok  ' : 'FAIL'} ${claim}`)
}

function say (text: string): void {
  console.log(`   ${text}`)
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

function short (bytes: Uint8Array): string {
  return `${hex(bytes).slice(0, 16)}…`
}

function step (n: number, title: string): void {
  console.log(`\n${n}. ${title}`)
}

async function commits (location: string): Promise<void> {
  step(1, 'Commits: every write is an atomic batch, fsynced to the write-ahead log before it resolves')
  const db = new MerkleLevel(location)
  await db.put('greeting', 'hello')
  await db.batch([
    { type: 'put', key: 'account:alice', value: '100' },
    { type: 'put', key: 'account:bob', value: '50' }
  ])
  say(`put greeting, then a batch of two accounts; root ${short(await db.root())}`)
  check(await db.get('account:alice') === '100' && await db.get('greeting') === 'hello', 'reads see the committed values')

  step(2, 'A chained batch closed without write() leaves no trace')
  const before = hex(await db.root())
  const batch = db.batch().put('account:mallory', '1000000').del('account:alice')
  say(`queued ${batch.length} operations (put mallory, del alice), then close()`)
  await batch.close()
  check(await db.get('account:mallory') === undefined && await db.get('account:alice') === '100', 'mallory is absent and alice untouched')
  check(hex(await db.root()) === before, 'the root did not change')
  await db.close()
}

async function crash (location: string): Promise<void> {
  step(3, 'A crash: a child process commits synced batches and is killed with SIGKILL mid-way')
  const child = spawn(process.execPath, [join(__dirname, 'crash-writer.js'), location], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<NodeJS.Signals | null>(resolve => child.on('exit', (_code, signal) => resolve(signal)))
  let acknowledged = 0
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith('ack ')) continue
    acknowledged = Number(line.slice(4))
    if (acknowledged === 60) child.kill('SIGKILL')
  }
  const signal = await exited
  say(`child ${child.pid} acknowledged ${acknowledged} batches, then got ${signal}`)
  check(signal === 'SIGKILL', 'the child was killed, not closed')

  const db = new MerkleLevel(location)
  await db.open()
  const r = db.recovery
  if (r !== null) {
    say(`db.recovery: replayed ${r.recordsReplayed} batches from ${r.segmentsRead} log segment(s), ` +
      `cut ${r.bytesTruncated} bytes after the log's last whole frame, removed ${r.filesRemoved.length} file(s), ${r.durationMs} ms`)
    say(`recovered state: sequence ${r.seq}, ${r.entries} entries, root ${r.root.slice(0, 16)}…`)
  }
  const last = Number(await db.get('crash:last'))
  const keys = await db.keys({ gte: 'crash:0', lte: 'crash:9' }).all()
  say(`recovered ${keys.length} batches; crash:last = ${last}`)
  check(last >= acknowledged, `every acknowledged batch survived (${acknowledged} acknowledged, ${last} recovered)`)
  check(keys.length === last && keys.every((k, i) => k === `crash:${String(i + 1).padStart(6, '0')}`),
    'the recovered batches are exactly 1..n: no gap, no half batch')
  await db.close()
}

async function transactions (location: string): Promise<void> {
  step(4, 'Many sequential transactions: 2,000 transfers between 20 accounts')
  const db = new MerkleLevel<string, number>(location, { valueEncoding: 'json', sync: false })
  await db.batch(Array.from({ length: 20 }, (_, i) => ({ type: 'put' as const, key: `balance:${i}`, value: 1000 })))
  const before = await db.root()
  let seed = 42
  const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
  for (let t = 0; t < 2000; t++) {
    const from = `balance:${random(20)}`
    const to = `balance:${random(20)}`
    const amount = random(50)
    const a = await db.get(from) as number
    if (from === to || a < amount) continue
    const b = await db.get(to) as number
    await db.batch([{ type: 'put', key: from, value: a - amount }, { type: 'put', key: to, value: b + amount }])
  }
  const after = await db.root()
  const balances = await db.values({ gte: 'balance:', lt: 'balance;' }).all()
  say(`root before ${short(before)}, after ${short(after)}`)
  check(balances.reduce((s, v) => s + v, 0) === 20000, 'money is conserved: the balances still add up to 20,000')

  // Same contents, written in another order, into another database: same root.
  const other = new MerkleLevel<string, number>(`${location}-reordered`, { valueEncoding: 'json', sync: false })
  const entries = await db.iterator({ gte: 'balance:', lt: 'balance;' }).all()
  for (const [key, value] of entries.reverse()) await other.put(key, value)
  check(hex(await other.root()) === hex(after), 'the root depends only on the contents: the same balances written in reverse order give the same root')
  await other.close()
  await db.close()
}

async function proofs (location: string): Promise<void> {
  step(5, 'Proofs, checked by the standalone verifier (merkle-level/verify: no database, no fs)')
  const db = new MerkleLevel<string, number>(location, { valueEncoding: 'json' })
  const root = await db.root()
  const proof = await db.prove('balance:7')
  const fact = verifyProof(root, proof)
  say(`proof of balance:7: ${proofToJson(proof).nodes.length} nodes; the verifier says present = ${String(fact.present)}`)
  check(fact.present && new TextDecoder().decode(fact.value) === String(await db.get('balance:7')), 'the proven value is the stored one')
  const absent = verifyProof(root, await db.prove('balance:99'))
  check(!absent.present, 'balance:99 is proven absent')
  let refused = ''
  try {
    verifyProof(await db.root(), { ...proof, count: proof.count + 1 })
  } catch (err) {
    refused = String((err as { code?: string }).code)
  }
  check(refused === 'LEVEL_PROOF_ROOT_MISMATCH' || refused === 'LEVEL_INVALID_PROOF', `a tampered proof is refused (${refused})`)

  step(6, 'Hot backup while writes are in flight')
  const writes = Array.from({ length: 100 }, (_, i) => db.put(`late:${i}`, i))
  const backup = await db.backup(`${location}-backup`)
  await Promise.all(writes)
  const copy = new MerkleLevel(backup.location)
  say(`backed up ${backup.entries} entries at sequence ${backup.seq} while 100 writes went on; the database now has ${(await db.keys().all()).length}`)
  check(hex(await copy.root()) === backup.root, 'the copy opens with the root of the captured state')
  check(await copy.get('late:0') === undefined, 'writes issued before the backup but not yet committed are not in it')
  await copy.close()
  await db.close()
}

async function main (): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'merkle-level-demo-'))
  console.log('merkle-level demo')
  console.log(`working in ${directory} (removed at the end)`)
  try {
    await commits(join(directory, 'db'))
    await crash(join(directory, 'db'))
    await transactions(join(directory, 'ledger'))
    await proofs(join(directory, 'ledger'))
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
  console.log(failed === 0 ? `\nall ${passed} checks passed` : `\n${failed} of ${passed + failed} checks FAILED`)
  process.exitCode = failed === 0 ? 0 : 1
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
