/**
 * Who may read: the bearer token (401 and nothing served without it), the
 * rule against listening on a non-loopback address without a token, and
 * HTTPS with a certificate made for the test by openssl.
 */
import test from 'tape'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MerkleLevel, startReplicationServer, isLoopback, listenRefusal, ListenRefused } from '../../index'
import { verifyRangeProof, proofFromJson } from '../../verify'
import { httpGet } from '../util/http-get'
import { tempLocation } from '../util/temp'
import { rootAt, servedSeeded } from './seeded'

const TOKEN = 's3cret-token_0123456789'
const QUERIES = ['info', 'range', 'prove?key=62', 'changes?since=0', 'overview', 'overview?since=5&wait=10', 'nope', 'range?limit=0']

test('with a token: missing or wrong is 401 with nothing served; right is served', async t => {
  const { base, close } = await servedSeeded({ token: TOKEN })
  // (Trailing spaces are no case: HTTP strips them from header values.)
  const wrong: Array<Record<string, string>> = [
    {}, { authorization: '' }, { authorization: TOKEN }, { authorization: `Bearer ${TOKEN}x` },
    { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, { authorization: 'Bearer ' }, { authorization: `Basic ${TOKEN}` },
    { authorization: `bearer${TOKEN}` }, { authorization: `Bearer  ${TOKEN}` }
  ]
  for (const headers of wrong) {
    for (const query of QUERIES) {
      const res = await httpGet(`${base}${query}`, { headers })
      t.equal(res.status, 401, `${JSON.stringify(headers)} ${query}`)
      t.equal(res.headers['www-authenticate'], 'Bearer')
      t.deepEqual(res.json, { error: { code: 'REPLICATION_UNAUTHORIZED', message: 'A valid bearer token is required' } }, 'nothing but the refusal')
      t.notOk(res.text.includes(rootAt(5)), 'no root in the body')
    }
  }
  const post = await httpGet(`${base}info`, { method: 'POST' })
  t.equal(post.status, 401, 'the token comes before the method')
  const right = { authorization: `Bearer ${TOKEN}` }
  const info = await httpGet(`${base}info`, { headers: right })
  t.equal(info.status, 200)
  t.equal(info.json.root, rootAt(5))
  t.equal((await httpGet(`${base}nope`, { headers: right })).status, 404, 'with the token, the other checks follow')
  await close()
})

test('isLoopback and listenRefusal: loopback needs nothing; elsewhere a token or --insecure', t => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
    t.equal(isLoopback(host), true, host)
    t.equal(listenRefusal(host, { token: false, insecure: false }), null, `${host}: no token needed`)
  }
  for (const host of ['0.0.0.0', '::', '', '10.0.0.1', '192.168.1.2', '128.0.0.1', '::2', 'example.com', 'localhost.example.com', '::ffff:10.0.0.1']) {
    t.equal(isLoopback(host), false, host)
    t.equal(typeof listenRefusal(host, { token: false, insecure: false }), 'string', `${host}: refused without a token`)
    t.equal(listenRefusal(host, { token: true, insecure: false }), null, `${host}: a token allows it`)
    t.equal(listenRefusal(host, { token: false, insecure: true }), null, `${host}: --insecure allows it`)
  }
  t.end()
})

test('startReplicationServer refuses 0.0.0.0 without a token; serves it with one, or with insecure', async t => {
  const db = new MerkleLevel(tempLocation('serve-bind'))
  await db.put('a', '1')
  const refused = await startReplicationServer(db, { host: '0.0.0.0', port: 0 }).then(() => 'listened', (err: unknown) => err)
  t.ok(refused instanceof ListenRefused, 'refused')
  for (const options of [{ token: TOKEN }, { insecure: true }]) {
    const serving = await startReplicationServer(db, { host: '0.0.0.0', port: 0, ...options })
    t.ok(serving.url.startsWith('http://0.0.0.0:'), serving.url)
    const port = serving.url.split(':')[2]
    const res = await httpGet(`http://127.0.0.1:${port}/v1/info`, { headers: options.token === undefined ? {} : { authorization: `Bearer ${TOKEN}` } })
    t.equal(res.status, 200, JSON.stringify(options))
    await serving.close()
  }
  await db.close()
})

function selfSignedCertificate (): { cert: Buffer, key: Buffer } | null {
  const dir = tempLocation('tls')
  mkdirSync(dir, { recursive: true })
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert
    ], { stdio: 'ignore' })
  } catch {
    return null
  }
  return { cert: readFileSync(cert), key: readFileSync(key) }
}

test('HTTPS with a given certificate and key', async t => {
  const tls = selfSignedCertificate()
  if (tls === null) {
    // .ci/run installs openssl: a machine without it must not pass this test by skipping it.
    t.fail('openssl could not make a certificate (is it installed?)')
    return
  }
  const { base, close } = await servedSeeded({ tls, token: TOKEN })
  t.ok(base.startsWith('https://127.0.0.1:'), base)
  const headers = { authorization: `Bearer ${TOKEN}` }
  const res = await httpGet(`${base}range`, { ca: tls.cert, headers })
  t.equal(res.status, 200)
  t.equal(res.json.root, rootAt(5))
  t.equal(verifyRangeProof(res.json.root, proofFromJson(res.json.proof)).entries.length, 3)
  t.equal((await httpGet(`${base}info`, { ca: tls.cert })).status, 401, 'the token is still required')
  const untrusted = await httpGet(`${base}info`, { headers }).then(() => 'accepted', (err: { code?: string }) => err.code)
  t.equal(untrusted, 'DEPTH_ZERO_SELF_SIGNED_CERT', 'a client that does not trust the certificate refuses it')
  const plain = await httpGet(base.replace('https:', 'http:') + 'info', { headers }).then(r => r.status, () => 'refused')
  t.notEqual(plain, 200, 'plain HTTP is not served on the HTTPS port')
  await close()
})
