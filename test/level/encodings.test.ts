/**
 * The formats MerkleLevel declares (utf8, buffer, view) and json on top of
 * utf8: every read path returns exactly the type and value of the encoding
 * asked for, every path that takes keys (ranges, seek targets, clear,
 * sublevels, snapshots, proofs) takes them in that encoding, and bytes handed
 * in or out are never shared with the stored data.
 */
import test from 'tape'
import { MerkleLevel, verifyProof, verifyRangeProof } from '../../index'
import { tempLocation } from '../util/temp'

type Db = MerkleLevel<unknown, unknown>

interface Case {
  encoding: 'utf8' | 'buffer' | 'view' | 'json'
  /** Four entries in stored-byte order. */
  entries: Array<[unknown, unknown]>
  /** The value absent from `entries`, as a key. */
  missing: unknown
  /** True when `x` has exactly the type the encoding returns. */
  isType: (x: unknown) => boolean
}

const view = (...bytes: number[]): Uint8Array => new Uint8Array(bytes)
const isView = (x: unknown): boolean => x instanceof Uint8Array && !Buffer.isBuffer(x)

const cases: Case[] = [
  {
    encoding: 'utf8',
    // UTF-8 byte order: 'z' (7a) < 'é' (c3 a9) < '😀' (f0 9f 98 80).
    entries: [['a', 'plain'], ['z', 'é'], ['é', '😀'], ['😀', '']],
    missing: 'b',
    isType: x => typeof x === 'string'
  },
  {
    encoding: 'buffer',
    entries: [
      [Buffer.from([0x00]), Buffer.from([0xff, 0x00])],
      [Buffer.from([0x61]), Buffer.from([])],
      [Buffer.from([0xff]), Buffer.from([0x80, 0x81])],
      [Buffer.from([0xff, 0xff]), Buffer.from([0xff])]
    ],
    missing: Buffer.from([0xfe]),
    isType: x => Buffer.isBuffer(x)
  },
  {
    encoding: 'view',
    entries: [[view(0x00), view(0xff, 0x00)], [view(0x61), view()], [view(0xff), view(0x80, 0x81)], [view(0xff, 0xff), view(0xff)]],
    missing: view(0xfe),
    isType: isView
  },
  {
    encoding: 'json',
    // JSON text order: '"b"' (22) < '1' (31) < '[2]' (5b) < '{"c":3}' (7b).
    entries: [['b', { n: 1 }], [1, [1, 'é']], [[2], false], [{ c: 3 }, 'text']],
    missing: 7,
    isType: () => true
  }
]

async function fresh (encoding: string): Promise<Db> {
  const db = new MerkleLevel<unknown, unknown>(tempLocation(), { keyEncoding: encoding, valueEncoding: encoding })
  await db.open()
  return db
}

function allOfType (c: Case, xs: unknown[]): boolean {
  return xs.every(c.isType)
}

// The stored bytes of `key` under the case's encoding.
function stored (c: Case, key: unknown): Buffer {
  if (c.encoding === 'json') return Buffer.from(JSON.stringify(key))
  return typeof key === 'string' ? Buffer.from(key) : Buffer.from(key as Uint8Array)
}

for (const c of cases) {
  const keys = c.entries.map(([key]) => key)
  const values = c.entries.map(([, value]) => value)

  test(`encodings: ${c.encoding} put, get, getSync, getMany, has`, async t => {
    const db = await fresh(c.encoding)
    // Put in reverse order, half one by one and half in a batch.
    await db.put(keys[3], values[3])
    await db.put(keys[2], values[2])
    await db.batch([{ type: 'put', key: keys[1], value: values[1] }, { type: 'put', key: keys[0], value: values[0] }])
    for (let i = 0; i < 4; i++) {
      const got = await db.get(keys[i])
      t.ok(c.isType(got), `get ${i}: the encoding's type`)
      t.same(got, values[i], `get ${i}`)
      t.same(db.getSync(keys[i]), values[i], `getSync ${i}`)
    }
    t.equal(await db.get(c.missing), undefined, 'get of a missing key')
    const many = await db.getMany([keys[2], c.missing, keys[0]])
    t.same(many, [values[2], undefined, values[0]], 'getMany')
    t.ok(c.isType(many[0]) && c.isType(many[2]), 'getMany: the encoding\'s type')
    t.same(await db.hasMany([keys[1], c.missing]), [true, false], 'hasMany')
    t.equal(await db.has(keys[3]), true, 'has')
    await db.del(keys[3])
    t.equal(await db.get(keys[3]), undefined, 'del')
    await db.close()
  })

  test(`encodings: ${c.encoding} iterators, ranges and seek`, async t => {
    const db = await fresh(c.encoding)
    await db.batch(c.entries.map(([key, value]) => ({ type: 'put' as const, key, value })))
    const entries = await db.iterator().all()
    t.same(entries, c.entries, 'entries in stored-byte order')
    t.ok(allOfType(c, entries.flat()), 'entries: the encoding\'s types')
    const keyList = await db.keys().all()
    t.same(keyList, keys, 'keys()')
    t.ok(allOfType(c, keyList), 'keys(): the encoding\'s type')
    const valueList = await db.values().all()
    t.same(valueList, values, 'values()')
    t.ok(allOfType(c, valueList), 'values(): the encoding\'s type')
    t.same(await db.iterator({ gt: keys[0], lte: keys[2] }).all(), c.entries.slice(1, 3), 'gt / lte')
    t.same(await db.keys({ gte: keys[1], lt: keys[3], reverse: true }).all(), [keys[2], keys[1]], 'gte / lt reversed')
    t.same(await db.values({ gt: keys[1], limit: 1 }).all(), [values[2]], 'gt with a limit')
    t.same(await db.iterator({ lt: keys[0] }).all(), [], 'below the first key')
    t.same(await db.iterator().nextv(2), c.entries.slice(0, 2), 'nextv')

    const it = db.iterator()
    it.seek(keys[2])
    t.same(await it.next(), c.entries[2], 'seek to a key')
    it.seek(c.missing)
    const afterMissing = c.entries.find(([key]) => Buffer.compare(stored(c, key), stored(c, c.missing)) > 0)
    t.same(await it.next(), afterMissing, 'seek between keys lands on the next one')
    await it.close()
    const ranged = db.keys({ lt: keys[2] })
    ranged.seek(keys[3])
    t.equal(await ranged.next(), undefined, 'seek past the range ends the iterator')
    ranged.seek(keys[1])
    t.same(await ranged.next(), keys[1], 'seek back into the range')
    await ranged.close()
    const reverse = db.values({ reverse: true })
    reverse.seek(keys[2])
    t.same(await reverse.all(), [values[2], values[1], values[0]], 'seek in reverse')
    await db.close()
  })

  test(`encodings: ${c.encoding} clear with a range, now and on a snapshot`, async t => {
    const db = await fresh(c.encoding)
    await db.batch(c.entries.map(([key, value]) => ({ type: 'put' as const, key, value })))
    await db.clear({ gt: keys[0], lt: keys[3] })
    t.same(await db.keys().all(), [keys[0], keys[3]], 'clear (first, last)')
    await db.batch(c.entries.map(([key, value]) => ({ type: 'put' as const, key, value })))
    const snapshot = db.snapshot()
    await db.del(keys[0])
    await db.put(keys[1], values[0])
    t.same(await db.get(keys[1], { snapshot }), values[1], 'get through the snapshot')
    t.same(await db.getMany([keys[0], keys[1]], { snapshot }), [values[0], values[1]], 'getMany through the snapshot')
    t.same(await db.iterator({ snapshot, lte: keys[1] }).all(), c.entries.slice(0, 2), 'iterator through the snapshot')
    await db.clear({ snapshot, gte: keys[2], reverse: true, limit: 1 })
    t.same(await db.keys().all(), [keys[1], keys[2]], 'clear of what the snapshot sees: the last key')
    await snapshot.close()
    await db.clear({ lte: keys[1] })
    t.same(await db.keys().all(), [keys[2]], 'clear up to a key')
    t.equal((await db.check()).ok, true, 'check')
    await db.close()
  })
}

test('encodings: a utf8 key is stored as its UTF-8 bytes and read back in any format', async t => {
  const db = await fresh('utf8')
  await db.put('é😀', 'é')
  await db.put('\ufeffbom', '\ufeff')
  t.same(await db.keys({ keyEncoding: 'buffer' }).all(), [Buffer.from('é😀'), Buffer.from('\ufeffbom')], 'keys as buffers: the UTF-8 bytes')
  t.same(await db.get(Buffer.from('é😀'), { keyEncoding: 'buffer', valueEncoding: 'view' }), view(0xc3, 0xa9), 'a value as a view')
  t.equal(await db.get('\ufeffbom'), '\ufeff', 'a leading U+FEFF is kept in a value')
  t.same(await db.keys({ gte: '\ufeff' }).all(), ['\ufeffbom'], 'and in a key')
  t.same(await db.iterator({ keyEncoding: 'hex', valueEncoding: 'base64' }).all(), [
    [Buffer.from('é😀').toString('hex'), Buffer.from('é').toString('base64')],
    [Buffer.from('\ufeffbom').toString('hex'), Buffer.from('\ufeff').toString('base64')]
  ], 'hex and base64 through buffer')
  await db.close()
})

test('encodings: values survive a reopen in every format', async t => {
  const location = tempLocation()
  const db = new MerkleLevel<string, string>(location)
  await db.put('ключ', 'значение')
  await db.put(Buffer.from([0xff, 0x00]) as never, Buffer.from([0x00, 0xff]) as never, { keyEncoding: 'buffer', valueEncoding: 'buffer' } as never)
  const root = await db.root()
  await db.close()
  const reopened = new MerkleLevel<string, string>(location)
  await reopened.open()
  t.equal(await reopened.get('ключ'), 'значение', 'utf8 after replay')
  t.same(await reopened.get(view(0xff, 0x00) as never, { keyEncoding: 'view', valueEncoding: 'buffer' } as never), Buffer.from([0x00, 0xff]), 'binary after replay')
  t.same(await reopened.root(), root, 'same root')
  await reopened.close()
})

test('encodings: bytes handed out are copies: writing into them changes nothing stored', async t => {
  const db = await fresh('buffer')
  await db.put(Buffer.from('key'), Buffer.from('value'))
  const root = await db.root()
  const value = await db.get(Buffer.from('key')) as Buffer
  value.fill(0x21)
  t.same(await db.get(Buffer.from('key')), Buffer.from('value'), 'a value from get')
  const [many] = await db.getMany([Buffer.from('key')], { valueEncoding: 'view' }) as Uint8Array[]
  many.fill(0x21)
  const [[key, entryValue]] = await db.iterator().all() as Array<[Buffer, Buffer]>
  key.fill(0x21)
  entryValue.fill(0x21)
  const [viewKey] = await db.keys({ keyEncoding: 'view' }).all() as Uint8Array[]
  viewKey.fill(0x21)
  const [viewValue] = await db.values({ valueEncoding: 'view' }).all() as Uint8Array[]
  viewValue.fill(0x21)
  t.same(await db.iterator().all(), [[Buffer.from('key'), Buffer.from('value')]], 'entries after writing into what iterators gave')
  t.same(await db.root(), root, 'the same root')
  t.equal((await db.check()).ok, true, 'check finds every hash right')
  await db.close()
})

test('encodings: bytes handed in are copied: writing into them later changes nothing stored', async t => {
  const db = await fresh('buffer')
  const key = Buffer.from('key')
  const value = Buffer.from('value')
  await db.put(key, value)
  const batchKey = view(0x62)
  const batchValue = view(0x76)
  await db.batch([{ type: 'put', key: batchKey, value: batchValue, keyEncoding: 'view', valueEncoding: 'view' }])
  key.fill(0x21)
  value.fill(0x21)
  batchKey.fill(0x21)
  batchValue.fill(0x21)
  t.same(await db.iterator({ keyEncoding: 'utf8', valueEncoding: 'utf8' }).all(), [['b', 'v'], ['key', 'value']], 'stored as given')
  t.equal((await db.check()).ok, true, 'check')
  await db.close()
})

test('encodings: one batch mixes formats', async t => {
  const db = await fresh('utf8')
  await db.batch([
    { type: 'put', key: 'a', value: 'text' },
    { type: 'put', key: Buffer.from('b'), value: Buffer.from([0xff]), keyEncoding: 'buffer', valueEncoding: 'buffer' },
    { type: 'put', key: view(0x63), value: { j: true }, keyEncoding: 'view', valueEncoding: 'json' },
    { type: 'del', key: 'b' },
    { type: 'put', key: 'b', value: Buffer.from([0xfe]), valueEncoding: 'buffer' }
  ])
  t.same(await db.iterator({ valueEncoding: 'buffer' }).all(), [
    ['a', Buffer.from('text')], ['b', Buffer.from([0xfe])], ['c', Buffer.from('{"j":true}')]
  ], 'each operation in its own format')
  await db.close()
})

test('encodings: sublevels in each format', async t => {
  const db = await fresh('utf8')
  const text = db.sublevel<string, string>('text', { keyEncoding: 'utf8', valueEncoding: 'utf8' })
  const bin = db.sublevel<Buffer, Buffer>('bin', { keyEncoding: 'buffer', valueEncoding: 'buffer' })
  const nested = bin.sublevel<Uint8Array, Uint8Array>('nested', { keyEncoding: 'view', valueEncoding: 'view' })
  await text.batch([{ type: 'put', key: 'é', value: '1' }, { type: 'put', key: 'a', value: '2' }, { type: 'put', key: 'z', value: '3' }])
  await bin.put(Buffer.from([0xff]), Buffer.from([0x01]))
  await bin.put(Buffer.from([0x00]), Buffer.from([0x02]))
  await nested.put(view(0x80), view(0x03))
  t.same(await text.iterator().all(), [['a', '2'], ['z', '3'], ['é', '1']], 'utf8 sublevel entries')
  t.same(await text.keys({ gt: 'a', lte: 'é', reverse: true }).all(), ['é', 'z'], 'utf8 sublevel range')
  t.same(await bin.iterator().all(), [
    [Buffer.from([0x00]), Buffer.from([0x02])],
    [Buffer.from([...Buffer.from('!nested!'), 0x80]), Buffer.from([0x03])],
    [Buffer.from([0xff]), Buffer.from([0x01])]
  ], 'buffer sublevel: its keys (with its own sublevel\'s) without its prefix')
  const values = await nested.values().all()
  t.same(values, [view(0x03)], 'view sublevel')
  t.ok(isView(values[0]), 'a view from a view sublevel')
  const it = bin.keys()
  it.seek(Buffer.from([0x22]))
  t.same(await it.next(), Buffer.from([0xff]), 'seek in a buffer sublevel')
  await it.close()
  await text.clear({ lt: 'z' })
  t.same(await text.keys().all(), ['z', 'é'], 'clear with a range in a sublevel')
  t.same(await nested.get(view(0x80)), view(0x03), 'nested get')
  t.same(await db.keys({ gte: '!text!', lt: '!text"' }).all(), ['!text!z', '!text!é'], 'the prefixed keys from the root database')
  await db.close()
})

test('encodings: proofs take keys in every format', async t => {
  const db = await fresh('utf8')
  const bin = db.sublevel<Buffer, string>('bin', { keyEncoding: 'buffer' })
  await db.put('é', 'x')
  await bin.put(Buffer.from([0xff]), 'y')
  const root = await db.root()
  const text = verifyProof(root, await db.prove('é'))
  t.same(text.present && Buffer.from(text.value), Buffer.from('x'), 'a utf8 key')
  const bytes = verifyProof(root, await db.prove(Buffer.from('é'), { keyEncoding: 'buffer' }))
  t.same(bytes.present && Buffer.from(bytes.key), Buffer.from('é'), 'the same key as a buffer')
  const inSub = verifyProof(root, await db.prove(Buffer.from([0xff]), { sublevel: bin }))
  t.same(inSub.present && Buffer.from(inSub.key), Buffer.concat([Buffer.from('!bin!'), Buffer.from([0xff])]), 'a buffer key of a sublevel')
  const range = verifyRangeProof(root, await db.proveRange({ gte: view(0xc3) }, { keyEncoding: 'view' }))
  t.same(range.entries.map(e => Buffer.from(e.key).toString()), ['é'], 'a range in view')
  await db.close()
})
