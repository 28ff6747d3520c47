/**
 * The replica client against a hostile wire, in each of its three ways: a
 * full copy (`range`), the feed (`changes`) and the diff (`nodes`). What
 * stands between replica and server alters, reorders, cuts, delays, drops,
 * or never ends an answer; for the diff it also forges a root over a tree
 * out of key order, out of heap order, or of another count. Each is refused
 * with its exact code, the replica's entries and record stay as they were,
 * no temporary is left, and the honest answer is taken afterwards. A
 * cut that the protocol allows (fewer nodes than asked) or a short delay
 * is no fault: the replica converges.
 */
import test from 'tape'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MerkleLevel, replicate } from '../../index'
import type { ReplicateResult } from '../../index'
import { fromHex, toHex } from '../../lib/bytes'
import { ReplicationClient } from '../../lib/replica/client'
import { decodeServedNodes, encodeServedNodes } from '../../lib/tree/node-wire'
import type { ServedNode } from '../../lib/replica/client'
import { companions } from '../../lib/replica/swap'
import { EMPTY_HASH, rootWith } from '../../lib/tree/hash-formulas'
import { nodeHash, priorityHash, sha256, valueHash } from '../../lib/tree/node-crypto-hashes'
import { compareBytes } from '../../lib/bytes'
import { tamperingServer } from '../util/tampering-server'
import type { Answer, Tamper } from '../util/tampering-server'
import { tempLocation } from '../util/temp'
import { rejectionCode } from '../util/codes'
import { replicaEntries } from '../util/replica-entries'

type Way = 'range' | 'changes' | 'nodes'

const key = (i: number): string => `k${String(i).padStart(3, '0')}`

/**
 * A primary of 60 entries and a replica of it, then the primary moved on
 * so that the replica's next run takes `way`: a new replica copies by
 * ranges; the feed serves one that lags; the diff one whose position the
 * log no longer holds. The tamper in `fault.now` applies to that way's answers.
 */
async function setting (way: Way): Promise<{
  db: MerkleLevel, url: string, location: string, fault: { now: Tamper }, before: unknown, close: () => Promise<void>
}> {
  const db = new MerkleLevel(tempLocation('primary'))
  for (let i = 0; i < 60; i += 20) await db.batch(Array.from({ length: 20 }, (_, j) => ({ type: 'put' as const, key: key(i + j), value: `value ${i + j}` })))
  const fault: { now: Tamper } = { now: {} }
  const served = await tamperingServer(db, {
    request: url => url.pathname === `/v1/${way}` && fault.now.request !== undefined ? fault.now.request(url) : url,
    answer: (url, answer) => (url.pathname === `/v1/${way}` || url.pathname === '/v1/info') && fault.now.answer !== undefined ? fault.now.answer(url, answer) : answer
  }, { maxRangeEntries: 16 })
  const location = tempLocation('replica')
  if (way !== 'range') {
    await replicate(served.url, location)
    await db.batch([{ type: 'put', key: key(7), value: 'changed' }, { type: 'del', key: key(31) }, { type: 'put', key: 'k100', value: 'new' }])
    await db.put(key(44), 'changed too')
    if (way === 'nodes') await db.checkpoint()
  }
  return {
    db, url: served.url, location, fault, before: await state(location), close: async () => { await served.close(); await db.close() }
  }
}

// The replica's entries and record, or null where there is none.
async function state (location: string): Promise<unknown> {
  if (!existsSync(location)) return null
  return { entries: await replicaEntries(location), record: await readFile(join(location, 'REPLICA.json'), 'utf8') }
}

async function primaryEntries (db: MerkleLevel): Promise<Array<[string, string]>> {
  const entries = await db.iterator({ keyEncoding: 'view', valueEncoding: 'view' }).all()
  return entries.map(([k, v]) => [toHex(k as unknown as Uint8Array), toHex(v as unknown as Uint8Array)])
}

const HOW: Record<Way, ReplicateResult['how']> = { range: 'full', changes: 'feed', nodes: 'diff' }

// Refused with `code`; the replica as it was, no temporary left; then, honestly served, it converges.
async function refused (t: test.Test, way: Way, tamper: Tamper | ((db: MerkleLevel, url: string) => Promise<Tamper>), code: string, options: { timeoutMs?: number, maxResponseBytes?: number } = {}): Promise<void> {
  const { db, url, location, fault, before, close } = await setting(way)
  fault.now = typeof tamper === 'function' ? await tamper(db, url) : tamper
  t.equal(await rejectionCode(replicate(url, location, options)), code, `${way}: ${code}`)
  t.deepEqual(await state(location), before, 'the replica is as it was')
  t.ok(Object.values(companions(location)).every(path => !existsSync(path)), 'no temporary is left')
  fault.now = {}
  const result = await replicate(url, location)
  t.deepEqual(result, { root: toHex(await db.root()), seq: way === 'range' ? 3 : 5, how: HOW[way] }, 'served honestly, it converges')
  await close()
}

const answering = (change: (answer: Answer, url: URL) => Answer): Tamper => ({ answer: (url, answer) => url.pathname === '/v1/info' ? answer : change(answer, url) })

for (const way of ['range', 'changes', 'nodes'] as const) {
  test(`${way}: an answer cut short is refused`, async t => {
    await refused(t, way, answering(answer => ({ ...answer, wire: { kind: 'cut', bytes: Math.floor(answer.body.length / 2) } })), 'REPLICA_BAD_RESPONSE')
  })

  test(`${way}: a dropped connection is refused`, async t => {
    await refused(t, way, answering(answer => ({ ...answer, wire: { kind: 'drop' } })), 'REPLICA_CONNECTION')
  })

  test(`${way}: an answer later than the client waits is refused`, async t => {
    await refused(t, way, answering(answer => ({ ...answer, wire: { kind: 'delay', ms: 2000 } })), 'REPLICA_TIMEOUT', { timeoutMs: 300 })
  })

  test(`${way}: an endless answer is refused at the cap, or when it trickles, at the deadline`, async t => {
    await refused(t, way, answering(answer => ({ ...answer, wire: { kind: 'endless', chunk: Buffer.alloc(16384, 0x20), everyMs: 1 } })), 'REPLICA_RESPONSE_TOO_LARGE', { maxResponseBytes: 65536 })
    await refused(t, way, answering(answer => ({ ...answer, wire: { kind: 'endless', chunk: Buffer.from(' '), everyMs: 20 } })), 'REPLICA_TIMEOUT', { timeoutMs: 400 })
  })

  test(`${way}: a body that is not JSON nor a proof is refused`, async t => {
    await refused(t, way, answering(answer => ({ ...answer, body: answer.body.subarray(0, answer.body.length - 3) })), way === 'range' ? 'LEVEL_INVALID_PROOF' : 'REPLICA_BAD_RESPONSE')
  })

  test(`${way}: a short delay is no fault`, async t => {
    const { db, url, location, fault, close } = await setting(way)
    fault.now = answering(answer => ({ ...answer, wire: { kind: 'delay', ms: 30 } }))
    t.equal((await replicate(url, location)).how, HOW[way])
    t.deepEqual(await state(location), { entries: await primaryEntries(db), record: JSON.stringify({ root: toHex(await db.root()), seq: way === 'range' ? 3 : 5 }) + '\n' })
    await close()
  })
}

// The answer's JSON, changed by `edit`.
const editJson = (edit: (body: any) => void) => (answer: Answer): Answer => { // eslint-disable-line @typescript-eslint/no-explicit-any -- any answer
  const body = JSON.parse(answer.body.toString())
  edit(body)
  return { ...answer, body: Buffer.from(JSON.stringify(body)) }
}

// A hex string with its first digit changed.
const flipHex = (hex: string): string => (hex[0] === '0' ? '1' : '0') + hex.slice(1)

// A `nodes` answer as JSON would give it (hex fields), whichever form it came in.
interface NodesView { root: string, count: number, nodes: Array<{ key: string, value: string, left: string | null, right: string | null }> }

const hexOrNull = (bytes: Uint8Array | null): string | null => bytes === null ? null : toHex(bytes)
const bytesOrNull = (hex: string | null): Uint8Array | null => hex === null ? null : fromHex(hex)

// The `nodes` answer changed by `edit`, in the form it came in (binary: the state in headers).
const editNodes = (edit: (body: NodesView) => void) => (answer: Answer): Answer => {
  if (answer.headers['content-type'] !== 'application/octet-stream') return editJson(edit)(answer)
  const decoded = decodeServedNodes(answer.body)
  if (typeof decoded === 'string') throw new Error(decoded)
  const view: NodesView = {
    root: String(answer.headers['x-merkle-root']),
    count: Number(answer.headers['x-merkle-count']),
    nodes: decoded.map(n => ({ key: toHex(n.key), value: toHex(n.value), left: hexOrNull(n.left), right: hexOrNull(n.right) }))
  }
  edit(view)
  const body = encodeServedNodes(view.nodes.map(n => ({ key: fromHex(n.key), value: fromHex(n.value), left: bytesOrNull(n.left), right: bytesOrNull(n.right) })))
  return { ...answer, headers: { ...answer.headers, 'x-merkle-root': view.root, 'x-merkle-count': String(view.count), 'content-length': String(body.length) }, body: Buffer.from(body) }
}

test('changes: batches reordered are refused', async t => {
  await refused(t, 'changes', answering(editJson(body => body.changes.reverse())), 'REPLICA_BAD_RESPONSE')
})

test('changes: an operation altered is refused', async t => {
  await refused(t, 'changes', answering(editJson(body => {
    const op = body.changes[0].ops.find((o: { type: string }) => o.type === 'put')
    op.value = flipHex(op.value)
  })), 'REPLICA_ROOT_MISMATCH')
})

test('changes: an operation dropped is refused', async t => {
  await refused(t, 'changes', answering(editJson(body => body.changes[0].ops.pop())), 'REPLICA_ROOT_MISMATCH')
})

test('changes: an operation added is refused', async t => {
  await refused(t, 'changes', answering(editJson(body => body.changes[1].ops.push({ type: 'del', key: toHex(Buffer.from(key(3))) }))), 'REPLICA_ROOT_MISMATCH')
})

// A server of an earlier release, which knows no `proofs=false`: its feed has a proof for each batch.
const withoutPlainFeed = (change: (answer: Answer, url: URL) => Answer): Tamper => ({
  request: url => {
    if (url.searchParams.get('proofs') === 'false') url.searchParams.set('proofs', 'no such value')
    return url
  },
  ...answering(change)
})

test('changes, by proofs: an operation of a proof altered is refused', async t => {
  await refused(t, 'changes', withoutPlainFeed((answer, url) => url.searchParams.has('proofs')
    ? answer
    : editJson(body => {
      const op = body.changes[0].proof.ops.find((o: { type: string }) => o.type === 'put')
      op.value = flipHex(op.value)
    })(answer)), 'LEVEL_PROOF_ROOT_MISMATCH')
})

test('changes, by proofs: a server without proofs=false is read batch by batch with proofs', async t => {
  const { db, url, location, fault, close } = await setting('changes')
  const asked: string[] = []
  fault.now = withoutPlainFeed((answer, url) => {
    asked.push(`${url.searchParams.get('proofs') ?? '(none)'} ${answer.status}`)
    return answer
  })
  t.deepEqual(await replicate(url, location), { root: toHex(await db.root()), seq: 5, how: 'feed' })
  t.deepEqual(asked, ['no such value 400', '(none) 200'], 'the plain feed refused, the feed with proofs read')
  t.deepEqual(await state(location), { entries: await primaryEntries(db), record: JSON.stringify({ root: toHex(await db.root()), seq: 5 }) + '\n' })
  await close()
})

test('nodes: a value altered is refused', async t => {
  await refused(t, 'nodes', answering(editNodes(body => { body.nodes[0].value = flipHex(body.nodes[0].value) })), 'REPLICA_NODE_MISMATCH')
})

test('nodes: a child stated empty is refused', async t => {
  await refused(t, 'nodes', answering(editNodes(body => {
    const node = body.nodes.find(n => n.left !== null)
    if (node !== undefined) node.left = null
  })), 'REPLICA_NODE_MISMATCH')
})

test('nodes: a child hash altered is refused', async t => {
  await refused(t, 'nodes', answering(editNodes(body => {
    const node = body.nodes.find(n => n.right !== null)
    if (node?.right != null) node.right = flipHex(node.right)
  })), 'REPLICA_NODE_MISMATCH')
})

test('nodes: nodes reordered are refused', async t => {
  await refused(t, 'nodes', answering(editNodes(body => {
    if (body.nodes.length > 1) body.nodes.reverse()
  })), 'REPLICA_NODE_MISMATCH')
})

test('nodes: more nodes than asked are refused', async t => {
  await refused(t, 'nodes', answering(editNodes(body => { body.nodes = [...body.nodes, ...body.nodes] })), 'REPLICA_BAD_RESPONSE')
})

test('nodes: no node at all is refused', async t => {
  await refused(t, 'nodes', answering(editNodes(body => { body.nodes = [] })), 'REPLICA_BAD_RESPONSE')
})

test('nodes: an answer for another state is refused', async t => {
  await refused(t, 'nodes', answering(editNodes(body => { body.root = 'ab'.repeat(32) })), 'REPLICA_BAD_RESPONSE')
})

// A forged state: info names `forged`, requests for it go to the real root, and the top node is
// replaced by `top` in the nodes answers.
async function forgery (db: MerkleLevel, url: string, make: (top: ServedNode, count: number) => { top: ServedNode, count: number }): Promise<Tamper> {
  const client = new ReplicationClient(url)
  const info = await client.info()
  const [real] = await client.nodes(info.root, ['1'])
  const { top, count } = make(real, info.count)
  const hash = nodeHash(top.left ?? EMPTY_HASH, top.right ?? EMPTY_HASH, valueHash(top.value), top.key)
  const served = { key: toHex(top.key), value: toHex(top.value), left: hexOrNull(top.left), right: hexOrNull(top.right) }
  const forged = toHex(rootWith(sha256, new Uint8Array(0), count, hash))
  return {
    request: url => {
      if (url.searchParams.get('root') === forged) url.searchParams.set('root', info.root)
      return url
    },
    answer: (url, answer) => url.pathname === '/v1/info'
      ? editJson(body => {
        body.root = forged
        body.count = count
      })(answer)
      : editNodes(body => {
        body.root = forged
        body.count = count
        if ((url.searchParams.get('at') ?? '').split('.')[0] === '1') body.nodes[0] = served
      })(answer)
  }
}

test('nodes: a forged root over a tree out of key order is refused', async t => {
  await refused(t, 'nodes', async (db, url) => await forgery(db, url, (top, count) => ({ top: { ...top, key: Buffer.from('zzz') }, count })), 'REPLICA_NODE_MISMATCH')
})

test('nodes: a forged root over a tree out of heap order is refused', async t => {
  await refused(t, 'nodes', async (db, url) => await forgery(db, url, (top, count) => {
    // A key just after the top's, in the same place of the key order, of a priority below every key's.
    const keys = Array.from({ length: 60 }, (_, i) => priorityHash(new Uint8Array(0), Buffer.from(key(i))))
    for (let n = 0; ; n++) {
      const candidate = Buffer.concat([top.key, Buffer.from([0, n >> 8, n & 255])])
      const prio = priorityHash(new Uint8Array(0), candidate)
      if (keys.every(other => compareBytes(prio, other) < 0)) return { top: { ...top, key: candidate }, count }
    }
  }), 'REPLICA_NODE_MISMATCH')
})

test('nodes: a forged root stating another count is refused', async t => {
  await refused(t, 'nodes', async (db, url) => await forgery(db, url, (top, count) => ({ top, count: count + 1 })), 'REPLICA_NODE_MISMATCH')
})

test('nodes: answers cut to one node each are no fault: the diff converges, one request per node', async t => {
  const { db, url, location, fault, close } = await setting('nodes')
  let requests = 0
  fault.now = answering(editNodes(body => { requests++; body.nodes = body.nodes.slice(0, 1) }))
  t.equal((await replicate(url, location)).how, 'diff')
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  t.ok(requests > 4, `${requests} requests`)
  await close()
})

test('nodes: a binary answer with a node of unknown flags is refused', async t => {
  await refused(t, 'nodes', answering(answer => {
    const body = Buffer.from(answer.body)
    body[0] |= 0x80
    return { ...answer, body }
  }), 'REPLICA_BAD_RESPONSE')
})

test('nodes: a server without the binary form is read in JSON', async t => {
  const { db, url, location, fault, close } = await setting('nodes')
  const asked: string[] = []
  fault.now = {
    // A server of an earlier release, whose `nodes` takes no `format`.
    request: url => {
      if (url.searchParams.has('format')) url.searchParams.set('format', 'no such form')
      return url
    },
    answer: (url, answer) => {
      if (url.pathname === '/v1/nodes') asked.push(`${url.searchParams.get('format') ?? '(none)'} ${answer.status}`)
      return answer
    }
  }
  t.equal((await replicate(url, location)).how, 'diff')
  t.deepEqual(await replicaEntries(location), await primaryEntries(db))
  t.deepEqual(asked.slice(0, 2), ['no such form 400', '(none) 200'], 'binary refused, then JSON')
  t.ok(asked.slice(2).every(a => a === '(none) 200'), 'JSON from then on')
  await close()
})
