/**
 * Custom encodings (the level-transcoder shape: name, format, encode,
 * decode) for keys and values, in each of the formats abstract-level
 * transcodes from: view, buffer and utf8. Keys are stored and ordered as the
 * encoded bytes, and the root is the root of those bytes.
 */
import test from 'tape'
import { MerkleLevel } from '../../index'
import { tempLocation } from '../util/temp'

// Unsigned 32-bit integers, big-endian: byte order is numeric order.
const u32 = {
  name: 'u32be',
  format: 'view' as const,
  encode: (n: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n); return b },
  decode: (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0)
}

// Points as "x,y" text.
const point = {
  name: 'point',
  format: 'utf8' as const,
  encode: (p: { x: number, y: number }): string => `${p.x},${p.y}`,
  decode: (s: string): { x: number, y: number } => { const [x, y] = s.split(',').map(Number); return { x, y } }
}

// Strings stored upper-cased through Buffers.
const shout = {
  name: 'shout',
  format: 'buffer' as const,
  encode: (s: string): Buffer => Buffer.from(s.toUpperCase()),
  decode: (b: Buffer): string => b.toString().toLowerCase()
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

test('encodings: custom view, utf8 and buffer encodings round-trip and persist', async t => {
  const location = tempLocation()
  const db = new MerkleLevel<number, { x: number, y: number }>(location, { keyEncoding: u32, valueEncoding: point })
  for (const n of [300, 2, 70000, 1]) await db.put(n, { x: n, y: -n })
  t.deepEqual(await db.keys().all(), [1, 2, 300, 70000], 'keys iterate in numeric order (their big-endian bytes)')
  t.deepEqual(await db.get(300), { x: 300, y: -300 }, 'values decode')
  t.deepEqual(await db.keys({ gte: 2, lt: 1000 }).all(), [2, 300], 'ranges are encoded too')
  await db.put('loud', 'hello', { keyEncoding: 'utf8', valueEncoding: shout })
  t.equal(await db.get('loud', { keyEncoding: 'utf8', valueEncoding: 'utf8' }), 'HELLO', 'stored as the encoded bytes')
  t.equal(await db.get('loud', { keyEncoding: 'utf8', valueEncoding: shout }), 'hello', 'decoded by the custom encoding')
  const root = hex(await db.root())
  await db.close()

  const again = new MerkleLevel<number, { x: number, y: number }>(location, { keyEncoding: u32, valueEncoding: point })
  t.deepEqual(await again.get(70000), { x: 70000, y: -70000 }, 'after reopen')
  t.equal(hex(await again.root()), root, 'same root after reopen')
  t.ok(again.supports.encodings.utf8 && again.supports.encodings.view && again.supports.encodings.buffer, 'the manifest lists the built-in encodings')

  // The root is a function of the stored bytes: the same bytes written plainly give the same root.
  const plain = new MerkleLevel<Uint8Array, string>(tempLocation(), { keyEncoding: 'view', valueEncoding: 'utf8' })
  for (const n of [1, 2, 300, 70000]) await plain.put(u32.encode(n), `${n},${-n}`)
  await plain.put(new TextEncoder().encode('loud'), 'HELLO')
  t.equal(hex(await plain.root()), root, 'the root depends on bytes, not on the encoding that produced them')
  await plain.close()
  await again.close()
})

test('encodings: a value that fails to decode is LEVEL_DECODE_ERROR', async t => {
  const db = new MerkleLevel(tempLocation())
  await db.put('k', 'not json')
  try {
    await db.get('k', { valueEncoding: 'json' })
    t.fail('should throw')
  } catch (err) {
    t.equal((err as { code?: string }).code, 'LEVEL_DECODE_ERROR', 'LEVEL_DECODE_ERROR')
  }
  await db.close()
})
