/**
 * What the replication endpoint refuses, and the bounds it keeps: methods,
 * paths, parameters, request size, response bytes and counts. Every error is
 * a JSON body `{ error: { code, message } }` with the status of its code.
 */
import test from 'tape'
import { request } from 'node:http'
import { verifyRangeProof, proofFromJson } from '../../verify'
import { MerkleLevel, startReplicationServer, createReplicationHandler } from '../../index'
import { httpGet } from '../util/http-get'
import type { HttpResult } from '../util/http-get'
import { tempLocation } from '../util/temp'
import { servedSeeded } from './seeded'

function errorOf (t: test.Test, res: HttpResult, status: number, code: string): void {
  t.equal(res.status, status, `status ${status}`)
  t.deepEqual(Object.keys(res.json ?? {}), ['error'], 'an error body')
  t.equal(res.json?.error?.code, code, code)
  t.equal(typeof res.json?.error?.message, 'string')
}

test('unknown paths are 404, other methods 405 with Allow: GET', async t => {
  const { base, serving, close } = await servedSeeded()
  for (const path of ['/', '/v1', '/v1/', '/v1/nope', '/v2/info', '/v1/info/', '/v1/constructor', '/v1/__proto__', '/info']) {
    errorOf(t, await httpGet(`${serving.url}${path}`), 404, 'REPLICATION_NOT_FOUND')
  }
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']) {
    const res = await httpGet(`${base}info`, { method })
    t.equal(res.status, 405, method)
    t.equal(res.headers.allow, 'GET')
    if (method !== 'HEAD') t.equal(res.json.error.code, 'REPLICATION_METHOD_NOT_ALLOWED')
  }
  await close()
})

test('bad parameters are 400 REPLICATION_BAD_PARAMETER', async t => {
  const { base, close } = await servedSeeded({ maxRangeEntries: 5, maxChanges: 3 })
  const bad = [
    'info?x=1', 'prove', 'prove?key=6', 'prove?key=zz', 'prove?key=61&key=62', 'prove?key=61&root=abc',
    'range?limit=0', 'range?limit=6', 'range?limit=-1', 'range?limit=01', 'range?limit=1.5', 'range?limit=',
    'range?gt=61&gte=61', 'range?lt=61&lte=61', 'range?root=' + 'g'.repeat(64), 'range?from=61',
    'changes', 'changes?since=-1', 'changes?since=x', 'changes?since=0&limit=4', 'changes?since=0&since=1',
    'changes?since=99999999999999999'
  ]
  for (const query of bad) errorOf(t, await httpGet(`${base}${query}`), 400, 'REPLICATION_BAD_PARAMETER')
  await close()
})

test('oversized requests: a long target is 414, a body 413', async t => {
  const { base, close } = await servedSeeded({ maxRequestBytes: 200 })
  errorOf(t, await httpGet(`${base}prove?key=${'61'.repeat(100)}`), 414, 'REPLICATION_URI_TOO_LONG')
  t.equal((await httpGet(`${base}prove?key=${'61'.repeat(50)}`)).status, 200, 'within the limit')
  const withBody = await httpGet(`${base}info`, { body: 'x'.repeat(1000), headers: { 'content-length': '1000' } })
  errorOf(t, withBody, 413, 'REPLICATION_REQUEST_TOO_LARGE')
  t.equal(withBody.headers.connection, 'close')
  const chunked = await new Promise<number>((resolve, reject) => {
    const req = request(`${base}info`, { method: 'GET', agent: false, headers: { 'transfer-encoding': 'chunked' } }, res => { res.resume(); resolve(res.statusCode ?? 0) })
    req.on('error', reject)
    req.write('part')
    req.end()
  })
  t.equal(chunked, 413, 'a chunked body')
  await close()
})

test('range responses stay within maxResponseBytes and maxRangeEntries, and still cover everything', async t => {
  const db = new MerkleLevel(tempLocation('serve-big'))
  const entries: Array<[string, string]> = []
  for (let i = 0; i < 60; i++) entries.push([`key${String(i).padStart(3, '0')}`, 'v'.repeat(300 + i)])
  await db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key, value })))
  const serving = await startReplicationServer(db, { port: 0, maxResponseBytes: 4096, maxRangeEntries: 7 })
  const seen: string[] = []
  let after: string | null = null
  let root: string | null = null
  let requests = 0
  do {
    const res: HttpResult = await httpGet(`${serving.url}/v1/range${after === null ? '?' : `?gt=${after}&`}${root === null ? '' : `root=${root}`}`.replace(/[?&]$/, ''))
    requests++
    t.equal(res.status, 200)
    if (res.status !== 200) break
    t.ok(Buffer.byteLength(res.text) <= 4096, `response ${requests} has ${Buffer.byteLength(res.text)} bytes`)
    root ??= res.json.root
    const shown = verifyRangeProof(root as string, proofFromJson(res.json.proof)).entries
    t.ok(shown.length <= 7, `at most maxRangeEntries (${shown.length})`)
    seen.push(...shown.map(e => Buffer.from(e.key).toString()))
    after = res.json.next
  } while (after !== null && requests < 100)
  t.deepEqual(seen, entries.map(([key]) => key), 'every entry once, in order')
  t.ok(requests > 60 / 7, `${requests} requests: the byte cap cut pages below the count cap`)

  // The binary form packs about twice as many entries into the same bytes.
  const binarySeen: string[] = []
  let binaryRequests = 0
  let binaryAfter = ''
  do {
    const res: HttpResult = await httpGet(`${serving.url}/v1/range?format=binary&root=${root as string}${binaryAfter === '' ? '' : `&gt=${binaryAfter}`}`)
    binaryRequests++
    t.ok(res.status === 200 && res.bytes.length <= 4096, `binary response ${binaryRequests} has ${res.bytes.length} bytes`)
    binarySeen.push(...verifyRangeProof(root as string, res.bytes).entries.map(e => Buffer.from(e.key).toString()))
    binaryAfter = String(res.headers['x-merkle-next'])
  } while (binaryAfter !== '' && binaryRequests < 100)
  t.deepEqual(binarySeen, entries.map(([key]) => key), 'binary: every entry once, in order')
  t.ok(binaryRequests < requests, `binary took ${binaryRequests} requests, JSON ${requests}`)

  await db.put('huge', 'x'.repeat(5000))
  errorOf(t, await httpGet(`${serving.url}/v1/range?gte=${Buffer.from('huge').toString('hex')}`), 507, 'REPLICATION_RESPONSE_TOO_LARGE')
  errorOf(t, await httpGet(`${serving.url}/v1/prove?key=${Buffer.from('huge').toString('hex')}`), 507, 'REPLICATION_RESPONSE_TOO_LARGE')
  errorOf(t, await httpGet(`${serving.url}/v1/changes?since=1`), 507, 'REPLICATION_RESPONSE_TOO_LARGE')
  await serving.close()
  await db.close()
})

test('changes responses stay within maxChanges and maxResponseBytes', async t => {
  const db = new MerkleLevel(tempLocation('serve-feed'))
  for (let i = 0; i < 20; i++) await db.put(`k${i}`, 'v'.repeat(200))
  const counted = await startReplicationServer(db, { port: 0, maxChanges: 5 })
  const capped = await httpGet(`${counted.url}/v1/changes?since=0`)
  t.deepEqual(capped.json.changes.map((c: { seq: number }) => c.seq), [1, 2, 3, 4, 5], 'maxChanges when no limit is given')
  await counted.close()
  const serving = await startReplicationServer(db, { port: 0, maxResponseBytes: 4096, maxChanges: 5 })
  let since = 0
  let requests = 0
  while (since < 20 && requests < 40) {
    const res = await httpGet(`${serving.url}/v1/changes?since=${since}&limit=5`)
    requests++
    t.ok(Buffer.byteLength(res.text) <= 4096, `response of ${Buffer.byteLength(res.text)} bytes`)
    t.deepEqual(res.json.changes.map((c: { seq: number }) => c.seq), Array.from({ length: res.json.last - since }, (_, i) => since + 1 + i))
    t.equal(res.json.head, 20)
    since = res.json.last
  }
  t.equal(since, 20)
  await serving.close()
  await db.close()
})

test('limits are checked when the handler is made', async t => {
  const db = new MerkleLevel(tempLocation('serve-options'))
  await db.open()
  for (const options of [{ maxResponseBytes: 4095 }, { maxRangeEntries: 0 }, { pinMs: 1.5 }, { maxPins: -1 }, { maxChanges: Infinity }, { token: '' }]) {
    t.throws(() => createReplicationHandler(db, options as never), TypeError, JSON.stringify(options))
  }
  const handler = createReplicationHandler(db, { maxResponseBytes: 4096 })
  t.equal(handler.limits.maxResponseBytes, 4096)
  await handler.close()
  await db.close()
})

test('a closed database is 503 REPLICATION_UNAVAILABLE', async t => {
  const { db, base, close } = await servedSeeded()
  await db.close()
  for (const query of ['info', 'range', 'prove?key=61', 'changes?since=0']) errorOf(t, await httpGet(`${base}${query}`), 503, 'REPLICATION_UNAVAILABLE')
  await close()
})
