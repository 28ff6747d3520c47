/**
 * The replication endpoint over real HTTP on 127.0.0.1: each endpoint's
 * exact response on a seeded database, and the proofs in them checked with
 * merkle-level/verify against the root the response names.
 */
import test from 'tape'
import { verifyProof, verifyRangeProof, verifyChangeProof, proofToJson, proofFromJson, changeProofFromJson, encodeProof } from '../../verify'
import { DEFAULT_LIMITS } from '../../index'
import { toHex } from '../../lib/bytes'
import { httpGet } from '../util/http-get'
import { rootAt, servedSeeded, STATES } from './seeded'

const hex = (s: string): string => Buffer.from(s).toString('hex')
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }

test('info: the current root, seq, count, salt and limits', async t => {
  const { base, close } = await servedSeeded()
  const res = await httpGet(`${base}info`)
  t.equal(res.status, 200)
  for (const [name, value] of Object.entries(HEADERS)) t.equal(res.headers[name], value, name)
  t.equal(Number(res.headers['content-length']), Buffer.byteLength(res.text), 'content-length')
  t.deepEqual(res.json, { protocol: 1, proofVersion: 1, root: rootAt(5), seq: 5, count: 3, salt: '', limits: { ...DEFAULT_LIMITS } })
  await close()
})

test('prove: a present and an absent key, verified against the served root', async t => {
  const { db, base, close } = await servedSeeded()
  const present = await httpGet(`${base}prove?key=${hex('c')}`)
  t.equal(present.status, 200)
  t.deepEqual(present.json, { root: rootAt(5), seq: 5, count: 3, proof: proofToJson(await db.prove('c')) })
  const fact = verifyProof(present.json.root, proofFromJson(present.json.proof))
  t.deepEqual(fact.present && [toHex(fact.key), toHex(fact.value)], [hex('c'), hex('3')])
  const absent = await httpGet(`${base}prove?key=${hex('a')}&root=${rootAt(5).toUpperCase()}`)
  t.equal(absent.status, 200, 'a root in upper case names the same pin')
  t.equal(verifyProof(absent.json.root, proofFromJson(absent.json.proof)).present, false)
  await close()
})

test('range: all entries with a range proof; pages by limit, continuing after next', async t => {
  const { db, base, close } = await servedSeeded()
  const all = await httpGet(`${base}range`)
  t.equal(all.status, 200)
  t.deepEqual(all.json, { root: rootAt(5), seq: 5, count: 3, proof: proofToJson(await db.proveRange({ limit: 10000 })), next: null })
  const entries = verifyRangeProof(all.json.root, proofFromJson(all.json.proof)).entries
  t.deepEqual(entries.map(e => [Buffer.from(e.key).toString(), Buffer.from(e.value).toString()]), STATES[5])

  const pages: string[][] = []
  let after: string | null = null
  let root: string | null = null
  for (let i = 0; i < 5; i++) {
    const url: string = `${base}range?limit=1${after === null ? '' : `&gt=${after}`}${root === null ? '' : `&root=${root}`}`
    const page = await httpGet(url)
    t.equal(page.status, 200)
    root ??= page.json.root
    t.equal(page.json.root, root, 'every page names the root of the first')
    const result = verifyRangeProof(root as string, proofFromJson(page.json.proof))
    pages.push(result.entries.map(e => Buffer.from(e.key).toString()))
    after = page.json.next
    if (after === null) break
    t.equal(after, toHex(result.entries[result.entries.length - 1].key), 'next is the last key shown')
  }
  t.deepEqual(pages, [['b'], ['c'], ['e'], []], 'three full pages, then an empty one that covers the rest')

  const bounded = await httpGet(`${base}range?gte=${hex('c')}&lt=${hex('e')}`)
  t.deepEqual(verifyRangeProof(bounded.json.root, proofFromJson(bounded.json.proof)).entries.map(e => Buffer.from(e.key).toString()), ['c'])
  t.deepEqual(bounded.json.proof.range, { gte: hex('c'), lt: hex('e'), limit: 10000, reverse: false })
  t.equal(bounded.json.next, null)
  await close()
})

test('range: a named root is served from its pinned snapshot while the database moves on', async t => {
  const { db, base, close } = await servedSeeded({ pinMs: 200 })
  const info = await httpGet(`${base}info`)
  await db.put('f', '6')
  const pinned = await httpGet(`${base}range?root=${info.json.root}`)
  t.equal(pinned.status, 200)
  t.equal(pinned.json.root, rootAt(5))
  t.equal(pinned.json.seq, 5)
  t.deepEqual(verifyRangeProof(rootAt(5), proofFromJson(pinned.json.proof)).entries.length, 3)
  const current = await httpGet(`${base}range`)
  t.equal(current.json.seq, 6, 'without root: the current state')
  t.equal(verifyRangeProof(current.json.root, proofFromJson(current.json.proof)).entries.length, 4)
  const unknown = await httpGet(`${base}range?root=${'00'.repeat(32)}`)
  t.equal(unknown.status, 410)
  t.deepEqual(Object.keys(unknown.json), ['error'])
  t.equal(unknown.json.error.code, 'REPLICATION_ROOT_GONE')
  await new Promise(resolve => setTimeout(resolve, 500))
  const expired = await httpGet(`${base}prove?key=62&root=${rootAt(5)}`)
  t.equal(expired.status, 410, 'a pin unused for pinMs is let go')
  t.equal(expired.json.error.code, 'REPLICATION_ROOT_GONE')
  await close()
})

test('changes: each batch with its root and a change proof from the root before it', async t => {
  const { base, close } = await servedSeeded()
  const res = await httpGet(`${base}changes?since=0`)
  t.equal(res.status, 200)
  t.deepEqual({ ...res.json, changes: undefined }, { since: 0, last: 5, head: 5, changes: undefined })
  t.deepEqual(res.json.changes.map((c: { seq: number, root: string }) => [c.seq, c.root]), [1, 2, 3, 4, 5].map(seq => [seq, rootAt(seq)]))
  t.deepEqual(res.json.changes.map((c: { ops: unknown }) => c.ops), [
    [{ type: 'put', key: hex('a'), value: hex('1') }, { type: 'put', key: hex('b'), value: hex('2') }],
    [{ type: 'put', key: hex('c'), value: hex('3') }],
    [{ type: 'del', key: hex('a') }],
    [{ type: 'put', key: hex('d'), value: hex('4') }, { type: 'put', key: hex('e'), value: hex('5') }],
    [{ type: 'clear', range: { gte: hex('d'), lt: hex('e'), reverse: false } }]
  ])
  const stated = res.json.changes.map((c: { seq: number, root: string, proof: unknown }) => {
    const { ops } = verifyChangeProof(changeProofFromJson(c.proof), { from: rootAt(c.seq - 1), to: c.root })
    return ops.map(op => op.type === 'put' ? `put ${Buffer.from(op.key).toString()}=${Buffer.from(op.value).toString()}` : `del ${Buffer.from(op.key).toString()}`)
  })
  t.deepEqual(stated, [['put a=1', 'put b=2'], ['put c=3'], ['del a'], ['put d=4', 'put e=5'], ['del d']], 'a clear is proven as the dels it made')

  const page = await httpGet(`${base}changes?since=2&limit=2`)
  t.deepEqual([page.json.since, page.json.last, page.json.head, page.json.changes.map((c: { seq: number }) => c.seq)], [2, 4, 5, [3, 4]])
  const none = await httpGet(`${base}changes?since=5`)
  t.deepEqual(none.json, { since: 5, last: 5, head: 5, changes: [] })
  const ahead = await httpGet(`${base}changes?since=6`)
  t.equal(ahead.status, 409)
  t.equal(ahead.json.error.code, 'REPLICATION_SINCE_AHEAD')
  await close()
})

test('changes with proofs=false: the operations alone, no root or proof; not with wait', async t => {
  const { base, close } = await servedSeeded()
  const res = await httpGet(`${base}changes?since=1&limit=3&proofs=false`)
  t.equal(res.status, 200)
  t.deepEqual(res.json, {
    since: 1,
    last: 4,
    head: 5,
    changes: [
      { seq: 2, root: null, ops: [{ type: 'put', key: hex('c'), value: hex('3') }], proof: null },
      { seq: 3, root: null, ops: [{ type: 'del', key: hex('a') }], proof: null },
      { seq: 4, root: null, ops: [{ type: 'put', key: hex('d'), value: hex('4') }, { type: 'put', key: hex('e'), value: hex('5') }], proof: null }
    ]
  })
  const last = await httpGet(`${base}changes?since=4&proofs=false`)
  t.deepEqual(last.json.changes, [{ seq: 5, root: null, ops: [{ type: 'clear', range: { gte: hex('d'), lt: hex('e'), reverse: false } }], proof: null }], 'a clear as its range')
  const polled = await httpGet(`${base}changes?since=5&wait=100&proofs=false`)
  t.deepEqual([polled.status, polled.json.error.code], [400, 'REPLICATION_BAD_PARAMETER'])
  const bad = await httpGet(`${base}changes?since=0&proofs=no`)
  t.deepEqual([bad.status, bad.json.error.code], [400, 'REPLICATION_BAD_PARAMETER'])
  await close()
})

test('changes: batches the log no longer holds are 410 LEVEL_CHANGES_GONE', async t => {
  const { db, base, close } = await servedSeeded()
  await db.checkpoint()
  await db.put('f', '6')
  const gone = await httpGet(`${base}changes?since=0`)
  t.equal(gone.status, 410)
  t.equal(gone.json.error.code, 'LEVEL_CHANGES_GONE')
  t.deepEqual(Object.keys(gone.json.error).sort(), ['code', 'message'])
  const after = await httpGet(`${base}changes?since=5`)
  t.equal(after.status, 200, 'from the checkpoint on, the feed serves')
  t.deepEqual(after.json.changes.map((c: { seq: number, root: string }) => c.seq), [6])
  t.equal(typeof after.json.changes[0].proof, 'object')
  t.notEqual(after.json.changes[0].proof, null)
  await close()
})

test('changes with wait: a long poll answers when a batch is committed, or empty after the wait', async t => {
  const { db, base, close } = await servedSeeded({ maxWaitMs: 2000 })
  const started = Date.now()
  const empty = await httpGet(`${base}changes?since=5&wait=150`)
  const waited = Date.now() - started
  t.deepEqual(empty.json, { since: 5, last: 5, head: 5, changes: [] })
  t.ok(waited >= 140, `nothing committed: answered after the wait (${waited} ms)`)

  const polling = httpGet(`${base}changes?since=5&wait=2000`)
  await new Promise(resolve => setTimeout(resolve, 100))
  const committed = Date.now()
  await db.put('f', '6')
  const res = await polling
  const lag = Date.now() - committed
  t.ok(lag < 1500, `answered on the commit (${lag} ms after it)`)
  t.deepEqual([res.json.since, res.json.last, res.json.head], [5, 6, 6])
  t.deepEqual(res.json.changes[0].ops, [{ type: 'put', key: hex('f'), value: hex('6') }])
  t.equal(verifyChangeProof(changeProofFromJson(res.json.changes[0].proof), { from: rootAt(5), to: res.json.changes[0].root }).ops.length, 1)

  const behind = await httpGet(`${base}changes?since=4&wait=2000`)
  t.deepEqual(behind.json.changes.map((c: { seq: number }) => c.seq), [5, 6], 'with batches to give, no wait')
  t.equal((await httpGet(`${base}changes?since=6&wait=2001`)).status, 400, 'wait beyond maxWaitMs')
  await close()
})

test('range with format=binary: the binary proof as the body, the rest in headers', async t => {
  const { db, base, close } = await servedSeeded()
  const res = await httpGet(`${base}range?format=binary&limit=2`)
  t.equal(res.status, 200)
  t.equal(res.headers['content-type'], 'application/octet-stream')
  t.equal(Number(res.headers['content-length']), res.bytes.length)
  t.deepEqual([res.headers['x-merkle-root'], res.headers['x-merkle-seq'], res.headers['x-merkle-count'], res.headers['x-merkle-next']], [rootAt(5), '5', '3', hex('c')])
  t.deepEqual(new Uint8Array(res.bytes), encodeProof(await db.proveRange({ limit: 2 })), 'exactly the binary encoding of the proof')
  t.deepEqual(verifyRangeProof(rootAt(5), res.bytes).entries.map(e => Buffer.from(e.key).toString()), ['b', 'c'])
  const rest = await httpGet(`${base}range?format=binary&gt=${hex('c')}&root=${rootAt(5)}`)
  t.equal(rest.headers['x-merkle-next'], '', 'the range is complete: no next key')
  t.deepEqual(verifyRangeProof(rootAt(5), rest.bytes).entries.map(e => Buffer.from(e.key).toString()), ['e'])
  t.equal((await httpGet(`${base}range?format=json`)).headers['content-type'], 'application/json; charset=utf-8')
  t.equal((await httpGet(`${base}range?format=xml`)).json.error.code, 'REPLICATION_BAD_PARAMETER')
  await close()
})
