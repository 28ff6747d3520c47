/**
 * The replica client against a lying server (the real handler behind a
 * tampering wrapper): an altered value, a dropped entry, a forged root in
 * info or in the feed, an oversized body, a redirect. Each is a coded error,
 * and the replica's entries and record stay as they were.
 */
import test from 'tape'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { MerkleLevel, replicate } from '../../index'
import { decodeProof, encodeProof } from '../../verify'
import { toHex } from '../../lib/bytes'
import { companions } from '../../lib/replica/swap'
import { tamperingServer } from '../util/tampering-server'
import type { Tamper } from '../util/tampering-server'
import { tempLocation } from '../util/temp'
import { rejectionCode } from '../util/codes'
import { replicaEntries } from '../util/replica-entries'

const FORGED = 'ab'.repeat(32)

// A primary of 10 entries whose values are easy to find in a page.
async function primary (salt?: Uint8Array): Promise<MerkleLevel> {
  const db = new MerkleLevel(tempLocation('primary'), salt === undefined ? {} : { salt })
  await db.batch(Array.from({ length: 10 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: `value-${i}` })))
  return db
}

// A replica of another primary (another salt: the hostile server's state can only be reached by a full copy).
async function existingReplica (): Promise<{ location: string, before: unknown }> {
  const other = await primary(new Uint8Array([7]))
  const served = await tamperingServer(other)
  const location = tempLocation('replica')
  await replicate(served.url, location)
  await served.close()
  await other.close()
  return { location, before: await snapshot(location) }
}

async function snapshot (location: string): Promise<unknown> {
  return { entries: await replicaEntries(location), record: await readFile(join(location, 'REPLICA.json'), 'utf8') }
}

// Refused with `code`, the existing replica unchanged and no temporaries left.
async function refused (t: test.Test, tamper: Tamper, code: string, options: { maxResponseBytes?: number } = {}): Promise<void> {
  const db = await primary()
  const served = await tamperingServer(db, tamper, { maxRangeEntries: 4 })
  const { location, before } = await existingReplica()
  t.equal(await rejectionCode(replicate(served.url, location, options)), code)
  t.deepEqual(await snapshot(location), before, 'the replica is as it was')
  t.ok(Object.values(companions(location)).every(path => !existsSync(path)), 'no temporary is left')
  const fresh = tempLocation('replica')
  t.equal(await rejectionCode(replicate(served.url, fresh, options)), code, 'a new replica is refused alike')
  t.notOk(existsSync(fresh), 'and not created')
  await served.close()
  await db.close()
}

const isRange = (url: URL): boolean => url.pathname === '/v1/range'

test('one value byte altered in a range page', async t => {
  await refused(t, {
    answer: (url, answer) => {
      if (!isRange(url)) return answer
      const at = answer.body.indexOf('value-')
      if (at >= 0) answer.body[at + 6] ^= 1
      return answer
    }
  }, 'LEVEL_PROOF_ROOT_MISMATCH')
})

test('an entry dropped from a range page', async t => {
  await refused(t, {
    answer: (url, answer) => {
      if (!isRange(url)) return answer
      const proof = decodeProof(answer.body)
      const first = proof.nodes.findIndex(node => node.type === 'entry')
      return { ...answer, body: Buffer.from(encodeProof({ ...proof, nodes: proof.nodes.filter((_, i) => i !== first) })) }
    }
  }, 'LEVEL_INVALID_PROOF')
})

test('a forged root in info, the pages proving the real one', async t => {
  await refused(t, {
    request: url => {
      if (url.searchParams.get('root') === FORGED) url.searchParams.delete('root')
      return url
    },
    answer: (url, answer) => {
      if (url.pathname === '/v1/info') {
        const info = JSON.parse(answer.body.toString())
        return { ...answer, body: Buffer.from(JSON.stringify({ ...info, root: FORGED })) }
      }
      return isRange(url) ? { ...answer, headers: { ...answer.headers, 'x-merkle-root': FORGED } } : answer
    }
  }, 'LEVEL_PROOF_ROOT_MISMATCH')
})

test('a body over the client\'s cap', async t => {
  await refused(t, {
    answer: (url, answer) => isRange(url) ? { ...answer, body: Buffer.concat([answer.body, Buffer.alloc(5000)]) } : answer
  }, 'REPLICA_RESPONSE_TOO_LARGE', { maxResponseBytes: 4096 })
})

test('a forged batch in the feed: refused, the replica stays at its verified state', async t => {
  const db = await primary()
  const forge = { value: false }
  const served = await tamperingServer(db, {
    answer: (url, answer) => {
      if (!forge.value || url.pathname !== '/v1/changes') return answer
      const page = JSON.parse(answer.body.toString())
      page.changes[0].ops[0].value = toHex(Buffer.from('forged'))
      return { ...answer, body: Buffer.from(JSON.stringify(page)) }
    }
  })
  const location = tempLocation('replica')
  await replicate(served.url, location)
  const before = await snapshot(location)
  await db.put('k5', 'changed')
  forge.value = true
  t.equal(await rejectionCode(replicate(served.url, location)), 'REPLICA_ROOT_MISMATCH')
  t.deepEqual(await snapshot(location), before, 'the replica is as it was')
  forge.value = false
  t.deepEqual(await replicate(served.url, location), { root: toHex(await db.root()), seq: 2, how: 'feed' }, 'an honest answer is taken afterwards')
  await served.close()
  await db.close()
})

test('the token goes to the given server only: a redirect is refused, its target sees nothing', async t => {
  const elsewhere: Array<string | undefined> = []
  const other = createServer((req, res) => { elsewhere.push(req.headers.authorization); res.end('{}') })
  await new Promise<void>(resolve => other.listen(0, '127.0.0.1', resolve))
  const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/v1/info`
  const db = await primary()
  const redirect = { value: true }
  const served = await tamperingServer(db, {
    answer: (_url, answer) => redirect.value ? { status: 302, headers: { location: otherUrl }, body: Buffer.alloc(0) } : answer
  }, { token: 'secret-token' })
  const location = tempLocation('replica')
  t.equal(await rejectionCode(replicate(served.url, location, { token: 'secret-token' })), 'REPLICA_REDIRECT')
  t.deepEqual(elsewhere, [], 'the redirect target saw no request')
  t.notOk(existsSync(location))
  redirect.value = false
  t.equal(await rejectionCode(replicate(served.url, location)), 'REPLICA_SERVER_ERROR', 'without the token: 401')
  t.equal((await replicate(served.url, location, { token: 'secret-token' })).how, 'full', 'with it, the copy is made')
  await served.close()
  await db.close()
  await new Promise<void>(resolve => other.close(() => resolve()))
})
