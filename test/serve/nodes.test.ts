/**
 * `nodes` over real HTTP: the nodes of a pinned tree by position, exactly
 * those of an independently built tree of the same entries, each hashing to
 * what its parent states and the top to the root; answers cut to fit
 * maxResponseBytes; and the refusals of bad parameters, positions with no
 * node, roots not pinned and a node too large.
 */
import test from 'tape'
import { MerkleLevel, startReplicationServer } from '../../index'
import { fromHex, toHex } from '../../lib/bytes'
import { nodeHashBytes } from '../../lib/tree/cached-digests'
import { EMPTY_HASH, rootWith } from '../../lib/tree/hash-formulas'
import { nodeHash, sha256, valueHash } from '../../lib/tree/node-crypto-hashes'
import { resolve } from '../../lib/tree/node'
import type { TreeNode } from '../../lib/tree/node'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { childPosition } from '../../lib/tree/positions'
import { Tree } from '../../lib/tree/tree'
import { decodeServedNodes, encodeServedNodes } from '../../lib/tree/node-wire'
import { httpGet } from '../util/http-get'
import { tempLocation } from '../util/temp'
import { rootAt, servedSeeded, STATES } from './seeded'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

// The node at `position` as the endpoint must send it, from a tree built here.
function expected (node: TreeNode): unknown {
  const n = resolve(node)
  const hash = (child: TreeNode | null): string | null => child === null ? null : toHex(nodeHashBytes(child))
  return { key: toHex(n.key), value: toHex(n.value), left: hash(n.left), right: hash(n.right) }
}

const hashOf = (node: { key: string, value: string, left: string | null, right: string | null }): Uint8Array =>
  nodeHash(node.left === null ? EMPTY_HASH : fromHex(node.left), node.right === null ? EMPTY_HASH : fromHex(node.right), valueHash(fromHex(node.value)), fromHex(node.key))

test('nodes: the top and its children, exactly those of the same entries\' tree; the top gives the root', async t => {
  const { base, close } = await servedSeeded()
  let tree = Tree.empty(DEFAULT_PARAMS)
  for (const [k, v] of STATES[5]) tree = tree.put(utf8(k), utf8(v))
  tree.root()
  const top = resolve(tree.top as TreeNode)
  const root = (await httpGet(`${base}info`)).json.root
  const res = await httpGet(`${base}nodes?root=${root}&at=1`)
  t.equal(res.status, 200)
  t.deepEqual(res.json, { root: rootAt(5), seq: 5, count: 3, nodes: [expected(top)] })
  t.equal(toHex(rootWith(sha256, new Uint8Array(0), 3, hashOf(res.json.nodes[0]))), root, 'the top node gives the root')
  const positions: string[] = []
  const wanted: unknown[] = []
  if (top.left !== null) { positions.push('2'); wanted.push(expected(top.left)) }
  if (top.right !== null) { positions.push('3'); wanted.push(expected(top.right)) }
  const children = await httpGet(`${base}nodes?root=${root}&at=${positions.join('.')}`)
  t.deepEqual(children.json.nodes, wanted, 'the children, in the order asked')
  await close()
})

test('nodes: a walk from the top reads every entry once, each node hashing to what its parent states', async t => {
  const db = new MerkleLevel(tempLocation('serve'))
  const entries = Array.from({ length: 200 }, (_, i) => [`key ${String(i).padStart(3, '0')}`, `value ${i}`])
  await db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key, value })))
  const serving = await startReplicationServer(db, { port: 0 })
  const base = `${serving.url}/v1/`
  const root = (await httpGet(`${base}info`)).json.root
  const seen: string[] = []
  let level: Array<{ position: string, hash: string | null }> = [{ position: '1', hash: null }]
  let levels = 0
  while (level.length > 0) {
    levels++
    const res = await httpGet(`${base}nodes?root=${root}&at=${level.map(l => l.position).join('.')}`)
    t.equal(res.json.nodes.length, level.length, `level ${levels}: one node per position`)
    const next: typeof level = []
    res.json.nodes.forEach((node: { key: string, value: string, left: string | null, right: string | null }, i: number) => {
      const hash = toHex(hashOf(node))
      if (level[i].hash === null) t.equal(toHex(rootWith(sha256, new Uint8Array(0), 200, fromHex(hash))), root, 'the top gives the root')
      else if (hash !== level[i].hash) t.fail(`the node at ${level[i].position} does not hash to what its parent states`)
      seen.push(`${Buffer.from(node.key, 'hex').toString()}=${Buffer.from(node.value, 'hex').toString()}`)
      if (node.left !== null) next.push({ position: childPosition(level[i].position, false), hash: node.left })
      if (node.right !== null) next.push({ position: childPosition(level[i].position, true), hash: node.right })
    })
    level = next
  }
  t.deepEqual(seen.sort(), entries.map(([k, v]) => `${k}=${v}`), 'every entry, once')
  t.ok(levels > 8 && levels < 40, `${levels} levels: one request each`)
  await serving.close()
  await db.close()
})

test('nodes: the binary form holds the nodes of the JSON form, the state in headers, about half the bytes', async t => {
  const db = new MerkleLevel(tempLocation('serve'))
  await db.batch(Array.from({ length: 200 }, (_, i) => ({ type: 'put' as const, key: `key ${String(i).padStart(3, '0')}`, value: `value ${i}`.repeat(8) })))
  const serving = await startReplicationServer(db, { port: 0 })
  const base = `${serving.url}/v1/`
  const info = (await httpGet(`${base}info`)).json
  let level = ['1']
  let jsonBytes = 0
  let binaryBytes = 0
  while (level.length > 0) {
    const at = level.join('.')
    const json = await httpGet(`${base}nodes?root=${info.root as string}&at=${at}`)
    const binary = await httpGet(`${base}nodes?root=${info.root as string}&at=${at}&format=binary`)
    t.equal(binary.status, 200)
    t.equal(binary.headers['content-type'], 'application/octet-stream')
    t.deepEqual([binary.headers['x-merkle-root'], binary.headers['x-merkle-seq'], binary.headers['x-merkle-count']], [info.root, '1', '200'], 'the state, in headers')
    const decoded = decodeServedNodes(binary.bytes)
    if (typeof decoded === 'string') return t.fail(decoded)
    const hex = (b: Uint8Array | null): string | null => b === null ? null : toHex(b)
    t.deepEqual(decoded.map(n => ({ key: toHex(n.key), value: toHex(n.value), left: hex(n.left), right: hex(n.right) })), json.json.nodes, `${level.length} nodes, as in JSON`)
    t.deepEqual(encodeServedNodes(decoded), new Uint8Array(binary.bytes), 'encoded as node-wire.ts encodes them')
    jsonBytes += json.bytes.length
    binaryBytes += binary.bytes.length
    level = json.json.nodes.flatMap((n: { left: string | null, right: string | null }, i: number) => [
      ...(n.left === null ? [] : [childPosition(level[i], false)]), ...(n.right === null ? [] : [childPosition(level[i], true)])
    ])
  }
  t.ok(binaryBytes * 1.8 < jsonBytes, `${binaryBytes} bytes in binary, ${jsonBytes} in JSON`)
  const refused = await httpGet(`${base}nodes?root=${info.root as string}&at=1&format=text`)
  t.deepEqual([refused.status, refused.json.error.code], [400, 'REPLICATION_BAD_PARAMETER'], 'a form other than json and binary')
  await serving.close()
  await db.close()
})

test('nodes: in binary too, an answer holds as many nodes as fit in maxResponseBytes', async t => {
  const db = new MerkleLevel(tempLocation('serve'))
  // A node of 1000 bytes takes about 1100 in binary: three fit in 4096 bytes, where one does in JSON.
  await db.batch(Array.from({ length: 20 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(2, '0')}`, value: String(i).repeat(1000).slice(0, 1000) })))
  const serving = await startReplicationServer(db, { port: 0, maxResponseBytes: 4096 })
  const base = `${serving.url}/v1/`
  const root = (await httpGet(`${base}info`)).json.root as string
  const all = Array.from({ length: 7 }, (_, i) => (i + 1).toString(16)).join('.')
  const res = await httpGet(`${base}nodes?root=${root}&at=${all}&format=binary`)
  const decoded = decodeServedNodes(res.bytes)
  t.ok(res.bytes.length <= 4096, `${res.bytes.length} bytes`)
  t.equal(Array.isArray(decoded) ? decoded.length : decoded, 3, 'the first three positions asked')
  await serving.close()
  await db.close()
})

test('nodes: an answer holds as many nodes as fit, the first ones asked; one node too large is 507', async t => {
  const db = new MerkleLevel(tempLocation('serve'))
  // A node of 1000 bytes takes over 2000 in hex: one fits in 4096 bytes, two do not.
  await db.batch(Array.from({ length: 20 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(2, '0')}`, value: String(i).repeat(1000).slice(0, 1000) })))
  const serving = await startReplicationServer(db, { port: 0, maxResponseBytes: 4096 })
  const base = `${serving.url}/v1/`
  const root = (await httpGet(`${base}info`)).json.root
  const seen: string[] = []
  let cuts = 0
  let level: Array<{ position: string, hash: string | null }> = [{ position: '1', hash: null }]
  while (level.length > 0) {
    const next: typeof level = []
    for (let i = 0; i < level.length;) {
      const res = await httpGet(`${base}nodes?root=${root}&at=${level.slice(i).map(l => l.position).join('.')}`)
      t.ok(res.status === 200 && res.bytes.length <= 4096, 'answered within maxResponseBytes')
      if (res.json.nodes.length < level.length - i) cuts++
      res.json.nodes.forEach((node: { key: string, value: string, left: string | null, right: string | null }, j: number) => {
        const asked = level[i + j]
        if (asked.hash !== null && toHex(hashOf(node)) !== asked.hash) t.fail(`the answer for ${asked.position} is another node`)
        seen.push(Buffer.from(node.key, 'hex').toString())
        if (node.left !== null) next.push({ position: childPosition(asked.position, false), hash: node.left })
        if (node.right !== null) next.push({ position: childPosition(asked.position, true), hash: node.right })
      })
      i += res.json.nodes.length
    }
    level = next
  }
  t.deepEqual(seen.sort(), Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, '0')}`), 'every entry, once')
  t.ok(cuts > 0, `${cuts} answers were cut to the nodes that fit`)
  await db.put('huge', 'h'.repeat(5000))
  const huge = (await httpGet(`${base}info`)).json.root
  let at = '1'
  for (;;) {
    const res = await httpGet(`${base}nodes?root=${huge}&at=${at}`)
    if (res.status !== 200) {
      t.deepEqual([res.status, res.json.error.code], [507, 'REPLICATION_RESPONSE_TOO_LARGE'], 'the node of the huge entry is 507')
      break
    }
    // Descend towards 'huge' until its node is asked for.
    const node = res.json.nodes[0]
    at = childPosition(at, Buffer.from(node.key, 'hex').toString() < 'huge')
  }
  await serving.close()
  await db.close()
})

test('nodes: refusals of bad parameters, positions with no node and roots not pinned', async t => {
  const { base, close } = await servedSeeded()
  const root = (await httpGet(`${base}info`)).json.root
  const refusal = async (query: string): Promise<[number, string]> => {
    const res = await httpGet(`${base}nodes?${query}`)
    return [res.status, res.json.error.code]
  }
  const BAD: [number, string] = [400, 'REPLICATION_BAD_PARAMETER']
  t.deepEqual(await refusal('at=1'), BAD, 'no root')
  t.deepEqual(await refusal(`root=${root}`), BAD, 'no positions')
  for (const at of ['', '0', '01', 'A', '1..2', '1.', 'x', '-1']) t.deepEqual(await refusal(`root=${root}&at=${at}`), BAD, `at=${at}`)
  t.deepEqual(await refusal(`root=${root}&at=1&at=2`), BAD, 'at given twice')
  t.deepEqual(await refusal(`root=${root}&at=1&limit=1`), BAD, 'an unknown parameter')
  t.deepEqual(await refusal(`root=${root}&at=1.${'f'.repeat(20)}`), BAD, 'a position below the leaves')
  t.deepEqual(await refusal(`root=${'ab'.repeat(32)}&at=1`), [410, 'REPLICATION_ROOT_GONE'], 'a root not pinned')
  await close()
})
