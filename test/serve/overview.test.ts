/**
 * `/v1/overview` (the page's overview, and its long poll) and the page's
 * static files: their headers, and that they alone are served without the
 * token.
 */
import test from 'tape'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { toHex } from '../../lib/bytes'
import { PAGE_POLICY } from '../../lib/serve/page'
import { httpGet } from '../util/http-get'
import { rootAt, servedSeeded } from './seeded'

function bytesOnDisk (location: string): number {
  return readdirSync(location).reduce((n, name) => n + statSync(join(location, name)).size, 0)
}

test('overview: the state, the files, the last checkpoint, open and check', async t => {
  const { db, base, close } = await servedSeeded()
  let res = await httpGet(`${base}overview`)
  t.equal(res.status, 200)
  t.deepEqual(Object.keys(res.json), ['protocol', 'root', 'seq', 'count', 'salt', 'disk', 'lastCheckpoint', 'recovery', 'lastCheck', 'limits'], 'its fields')
  t.deepEqual(res.json.limits, (await httpGet(`${base}info`)).json.limits, 'the limits, as info gives them')
  t.deepEqual([res.json.protocol, res.json.root, res.json.seq, res.json.count, res.json.salt], [1, rootAt(5), 5, 3, ''], 'the state')
  t.equal(res.json.disk.bytes, bytesOnDisk(db.location), 'bytes on disk: every file of the database')
  t.deepEqual([res.json.disk.log.files, res.json.disk.images.files, res.json.disk.retainedLog.files], [1, 0, 0], 'one log segment, no image yet')
  t.deepEqual(res.json.disk, await db.diskUsage(), 'as db.diskUsage() says')
  t.equal(res.json.lastCheckpoint, null, 'no checkpoint since open')
  t.deepEqual(res.json.recovery, db.recovery, 'what open() did')
  t.equal(res.json.lastCheck, null, 'no check since open')

  const checkpoint = await db.checkpoint()
  const report = await db.check()
  res = await httpGet(`${base}overview`)
  t.deepEqual([res.json.lastCheckpoint.ok, res.json.lastCheckpoint.background, res.json.lastCheckpoint.result], [true, false, checkpoint], 'the last checkpoint')
  t.equal(res.json.lastCheckpoint.time, new Date((db.lastCheckpoint as { time: number }).time).toISOString(), 'with its time')
  t.deepEqual(res.json.disk.images, { files: 1, bytes: checkpoint.bytes }, 'the image it wrote')
  t.deepEqual([res.json.lastCheck.snapshot, res.json.lastCheck.report], [false, report], 'the last check and its report')
  t.equal(res.json.lastCheck.report.root, rootAt(5))
  await close()
})

test('overview: since and wait make a long poll that ends at the next commit', async t => {
  const { db, base, close } = await servedSeeded()
  let started = Date.now()
  let res = await httpGet(`${base}overview?since=5&wait=50`)
  t.equal(res.json.seq, 5, 'nothing committed: the same state')
  t.ok(Date.now() - started >= 45, 'after the wait')
  started = Date.now()
  const waiting = httpGet(`${base}overview?since=5&wait=20000`)
  setTimeout(() => { void db.put('z', '26') }, 100)
  res = await waiting
  t.equal(res.json.seq, 6, 'a commit ends the wait')
  t.equal(res.json.root, toHex(await db.root()), 'with the root after it')
  t.ok(Date.now() - started < 10000, 'well before the wait is over')
  res = await httpGet(`${base}overview?since=2&wait=20000`)
  t.equal(res.json.seq, 6, 'a since behind the state answers at once')
  res = await httpGet(`${base}overview?since=9`)
  t.deepEqual([res.status, res.json.error.code], [409, 'REPLICATION_SINCE_AHEAD'], 'a since ahead is refused')
  res = await httpGet(`${base}overview?wait=10`)
  t.deepEqual([res.status, res.json.error.code], [400, 'REPLICATION_BAD_PARAMETER'], 'wait needs since')
  res = await httpGet(`${base}overview?since=0&wait=30001`)
  t.deepEqual([res.status, res.json.error.code], [400, 'REPLICATION_BAD_PARAMETER'], 'wait at most maxWaitMs')
  await close()
})

test('the page: three files, with a policy against inline scripts, served without the token', async t => {
  const { base, close } = await servedSeeded({ token: 'page-token' })
  const types: Record<string, string> = { '': 'text/html; charset=utf-8', 'look.js': 'text/javascript; charset=utf-8', 'look.css': 'text/css; charset=utf-8' }
  for (const [file, type] of Object.entries(types)) {
    const res = await httpGet(`${base}look/${file}`)
    t.equal(res.status, 200, `/v1/look/${file} needs no token`)
    t.equal(res.headers['content-type'], type, 'its type')
    t.equal(res.headers['content-security-policy'], PAGE_POLICY, 'the policy')
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.equal(res.headers['x-frame-options'], 'DENY')
    t.notOk(res.text.includes(rootAt(5)), 'nothing of the database in it')
  }
  t.ok(PAGE_POLICY.includes("script-src 'self'") && !PAGE_POLICY.includes('unsafe'), 'scripts from the origin only, none inline')
  const html = (await httpGet(`${base}look/`)).text
  t.notOk(/<script>|<script [^>]*>[^<]/.test(html), 'the HTML has no inline script')
  t.notOk(/ on[a-z]+=/.test(html), 'and no inline handler')
  for (const [path, status] of [['look', 401], ['look/nope.js', 401], ['look/look.html', 401], ['overview', 401]] as const) {
    t.equal((await httpGet(`${base}${path}`)).status, status, `${path}: anything else needs the token`)
  }
  t.equal((await httpGet(`${base}look/`, { method: 'POST' })).status, 401, 'and so does any other method on the page')
  t.equal((await httpGet(`${base}look/`, { body: 'hello', headers: { 'content-length': '5' } })).status, 401, 'or a GET with a body')
  t.equal((await httpGet(`${base}look/?${'x'.repeat(9000)}`)).status, 401, 'or one longer than maxRequestBytes')
  t.equal((await httpGet(`${base}look/?anything`)).status, 200, 'a query is ignored')
  const authorized = { authorization: 'Bearer page-token' }
  t.equal((await httpGet(`${base}look/nope.js`, { headers: authorized })).status, 404, 'no other file')
  t.equal((await httpGet(`${base}look/`, { method: 'POST', headers: authorized })).status, 405, 'GET only')
  await close()
})
