/**
 * The snapshot format: publish and read back, and refusal of every damaged
 * file (truncations, bit flips, wrong counts) without throwing.
 */
import test from 'tape'
import { join } from 'node:path'
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { nodeFileSystem } from '../../lib/fs/node-file-system'
import { publishSnapshot } from '../util/version-1-writer'
import { readSnapshot } from '../../lib/snapshot/reader'
import { tempLocation } from '../util/temp'
import { rejectionCode } from '../util/codes'

const identity = new Uint8Array(64).fill(3)
const root = new Uint8Array(32).fill(9)
const entries: Array<[Uint8Array, Uint8Array]> = [
  [new Uint8Array(0), Uint8Array.of(1)],
  [Uint8Array.of(0), new Uint8Array(0)],
  [Uint8Array.of(0, 1), new Uint8Array(300).fill(2)],
  [Uint8Array.of(0xff), Uint8Array.of(0xff, 0xff)]
]

async function publish (list = entries, count = list.length): Promise<{ dir: string, bytes: Uint8Array }> {
  const dir = tempLocation('snap')
  mkdirSync(dir, { recursive: true })
  await publishSnapshot({ fs: nodeFileSystem, directory: dir, tempPath: join(dir, 's.tmp-1'), finalPath: join(dir, 's.mls') },
    { identity, seq: 17, count, root }, list)
  return { dir, bytes: new Uint8Array(readFileSync(join(dir, 's.mls'))) }
}

function read (bytes: Uint8Array): { ok: boolean, entries: string[] } {
  const got: string[] = []
  const result = readSnapshot(bytes, (k, v) => got.push(`${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`))
  return { ok: result.ok, entries: got }
}

test('snapshot: publish then read back, no temp file left', async t => {
  const { dir, bytes } = await publish()
  t.same(readdirSync(dir), ['s.mls'])
  const result = readSnapshot(bytes, () => {})
  t.ok(result.ok)
  if (result.ok) {
    t.is(result.header.seq, 17)
    t.is(result.header.count, 4)
    t.same(Array.from(result.header.root), Array.from(root))
  }
  t.same(read(bytes).entries, entries.map(([k, v]) => `${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`))
})

test('snapshot: every truncation and every bit flip is refused', async t => {
  const { bytes } = await publish()
  const accepted: string[] = []
  for (let n = 0; n < bytes.length; n++) {
    if (read(bytes.subarray(0, n)).ok) accepted.push(`truncation to ${n}`)
  }
  let flips = 0
  for (let i = 0; i < bytes.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const bad = bytes.slice()
      bad[i] ^= 1 << bit
      flips++
      if (read(bad).ok) accepted.push(`flip of bit ${bit} at ${i}`)
    }
  }
  t.same(accepted, [], `${bytes.length} truncations and ${flips} bit flips refused`)
})

test('snapshot: a count that does not match the entries fails the publish and leaves no file', async t => {
  const dir = tempLocation('snap')
  mkdirSync(dir, { recursive: true })
  const publish = publishSnapshot({ fs: nodeFileSystem, directory: dir, tempPath: join(dir, 's.tmp-1'), finalPath: join(dir, 's.mls') },
    { identity, seq: 1, count: 5, root }, entries)
  t.not(await rejectionCode(publish), 'resolved', 'refused')
  t.same(readdirSync(dir), [])
  t.notOk(existsSync(join(dir, 's.mls')))
})

test('snapshot: keys and values longer than the writer\'s chunks are written as the format lays them out', async t => {
  const long = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 13 + seed) & 0xff)
  const list: Array<[Uint8Array, Uint8Array]> = [
    [Uint8Array.of(1), long(200_000, 1)],
    [Uint8Array.of(2), Uint8Array.of(5)],
    [Uint8Array.of(3, ...long(70_000, 2)), long(65_530, 3)],
    [Uint8Array.of(4), long(65_536, 4)],
    [Uint8Array.of(5), new Uint8Array(0)]
  ]
  const { bytes } = await publish(list)
  const body = Buffer.concat(list.flatMap(([k, v]) => [Buffer.from(varint(k.length)), k, Buffer.from(varint(v.length)), v]))
  t.ok(Buffer.from(bytes.subarray(128, bytes.length - 24)).equals(body), 'the body byte for byte')
  t.same(read(bytes).entries, list.map(([k, v]) => `${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`), 'read back')
})

// LEB128, as docs/FORMAT.md specifies it.
function varint (n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return out
}
