/**
 * The key table against a Map model: random sets, deletes and clears, in
 * shards small enough that probe runs wrap around the end and deletions shift
 * entries back; then growth to 20,000 entries and shrinking back.
 */
import test from 'tape'
import fc from 'fast-check'
import { KeyTable } from '../../lib/lookup/key-table'
import { toHex } from '../../lib/bytes'

type Op =
  | { kind: 'set', key: Uint8Array, value: Uint8Array }
  | { kind: 'delete', key: Uint8Array }
  | { kind: 'clear' }
  | { kind: 'update', changes: Array<{ key: Uint8Array, value: Uint8Array | null }> }

function ops (key: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Op[]> {
  return fc.array(fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.uint8Array({ maxLength: 4 }) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
    // Several changes at once, a key possibly more than once (they apply in order).
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('update' as const), changes: fc.array(fc.record({ key, value: fc.option(fc.uint8Array({ maxLength: 4 }), { nil: null }) }), { maxLength: 8 }) }) }
  ), { maxLength: 120 })
}

function contents (table: KeyTable): string[] {
  const out: string[] = []
  table.forEach((k, v) => out.push(`${toHex(k)}=${toHex(v)}`))
  return out.sort()
}

function modelContents (model: Map<string, Uint8Array>): string[] {
  return [...model].map(([k, v]) => `${k}=${toHex(v)}`).sort()
}

// Runs `plan` on a table and a Map; after every step, every key of `universe` reads the same.
function matchesModel (plan: Op[], universe: Uint8Array[], table: KeyTable): void {
  const model = new Map<string, Uint8Array>()
  for (const o of plan) {
    if (o.kind === 'set') {
      table.set(o.key, o.value)
      model.set(toHex(o.key), o.value)
    } else if (o.kind === 'delete') {
      const removed = table.delete(o.key)
      if (removed !== model.delete(toHex(o.key))) throw new Error(`delete of ${toHex(o.key)} said ${String(removed)}`)
    } else if (o.kind === 'update') {
      table.update(o.changes.map(c => c.key), o.changes.map(c => c.value))
      for (const c of o.changes) c.value === null ? model.delete(toHex(c.key)) : model.set(toHex(c.key), c.value)
    } else {
      table.clear()
      model.clear()
    }
    if (table.size !== model.size) throw new Error(`size ${table.size}, expected ${model.size}`)
    for (const k of universe) {
      const expected = model.get(toHex(k))
      const got = table.get(k)
      if ((got === undefined ? 'absent' : toHex(got)) !== (expected === undefined ? 'absent' : toHex(expected))) throw new Error(`get of ${toHex(k)} differs`)
      if (table.has(k) !== (expected !== undefined)) throw new Error(`has of ${toHex(k)} differs`)
    }
  }
  if (JSON.stringify(contents(table)) !== JSON.stringify(modelContents(model))) throw new Error('contents differ')
}

test('key table: random sets, deletes and clears match a Map', t => {
  // In a table of one shard, six keys fill the smallest shard (8 slots) to its maximum load
  // without growing it, so probe runs often wrap around its end and deletions shift entries
  // across it; twelve make it grow and shrink.
  for (const count of [6, 12]) {
    const few = Array.from({ length: count }, (_, i) => Uint8Array.of(i))
    fc.assert(fc.property(ops(fc.constantFrom(...few)), plan => matchesModel(plan, few, new KeyTable(0, 0))), { numRuns: 1000 })
    t.pass(`1000 random runs over ${count} keys in a table of one shard`)
  }
  // 73 keys of up to two bytes: the table grows and shrinks along the way.
  const many = [new Uint8Array(0)]
  for (let a = 0; a < 8; a++) {
    many.push(Uint8Array.of(a))
    for (let b = 0; b < 8; b++) many.push(Uint8Array.of(a, b))
  }
  fc.assert(fc.property(ops(fc.constantFrom(...many)), plan => matchesModel(plan, many, new KeyTable(0, 0))), { numRuns: 300 })
  fc.assert(fc.property(ops(fc.constantFrom(...many)), plan => matchesModel(plan, many, new KeyTable())), { numRuns: 300 })
  t.pass('300 random runs over 73 keys in a table of one shard, 300 in a table of 256')
  t.end()
})

test('key table: grows to 20,000 entries and shrinks back, every entry found throughout', t => {
  const table = new KeyTable()
  const keyOf = (i: number): Uint8Array => Uint8Array.from([i >>> 16, (i >>> 8) & 0xff, i & 0xff, 0x2a])
  const n = 20_000
  for (let i = 0; i < n; i++) table.set(keyOf(i), Uint8Array.of(i & 0xff))
  t.equal(table.size, n, 'all entries in')
  let missing = 0
  for (let i = 0; i < n; i++) if (table.get(keyOf(i))?.[0] !== (i & 0xff)) missing++
  t.equal(missing, 0, 'every entry found after growing')
  t.equal(table.get(keyOf(n)), undefined, 'an absent key is absent')
  // Delete in a scattered order, checking the survivors as the table shrinks.
  let wrong = 0
  for (let step = 0; step < n; step++) {
    const i = (step * 7919) % n
    if (!table.delete(keyOf(i))) wrong++
    if (step % 2_500 === 2_499) {
      for (let s = step + 1; s < n; s++) if (!table.has(keyOf((s * 7919) % n))) wrong++
    }
  }
  t.equal(wrong, 0, 'every delete found its entry and every survivor stayed reachable')
  t.equal(table.size, 0, 'empty at the end')
  t.equal(contents(table).length, 0, 'nothing left to visit')
  t.end()
})

test('key table: a table sized in advance for 1,000 entries holds them', t => {
  const table = new KeyTable(1_000)
  for (let i = 0; i < 1_000; i++) table.set(Uint8Array.of(i >>> 8, i & 0xff), Uint8Array.of(1))
  t.equal(table.size, 1_000)
  t.ok(table.has(Uint8Array.of(3, 231)), 'entry 999 present')
  t.notOk(table.has(Uint8Array.of(3, 232)), 'entry 1000 absent')
  t.end()
})

test('key table: addDistinct fills a table as sets would, shard by shard', t => {
  for (const shardBits of [0, 8]) {
    const table = new KeyTable(0, shardBits)
    const keys: Uint8Array[] = []
    const values: Uint8Array[] = []
    for (let i = 0; i < 5_000; i++) {
      keys.push(Uint8Array.of(i >>> 8, i & 0xff))
      values.push(Uint8Array.of(i % 251))
    }
    table.addDistinct(keys, values)
    t.equal(table.size, 5_000, `${1 << shardBits} shard(s): all entries in`)
    let wrong = 0
    for (let i = 0; i < 5_000; i++) if (table.get(keys[i])?.[0] !== i % 251) wrong++
    t.equal(wrong, 0, `${1 << shardBits} shard(s): every entry found with its value`)
    table.set(keys[7], Uint8Array.of(9))
    table.delete(keys[8])
    t.deepEqual([table.get(keys[7]), table.has(keys[8]), table.size], [Uint8Array.of(9), false, 4_999], `${1 << shardBits} shard(s): later changes apply`)
  }
  t.end()
})

test('key table: a new value for a present key keeps the key array already there, as the tree does', t => {
  const table = new KeyTable()
  const first = Uint8Array.of(1, 2, 3)
  const again = Uint8Array.of(1, 2, 3)
  table.set(first, Uint8Array.of(10))
  table.update([again], [Uint8Array.of(20)])
  table.set(Uint8Array.of(1, 2, 3), Uint8Array.of(30))
  const keys: Uint8Array[] = []
  table.forEach(key => keys.push(key))
  t.equal(keys.length, 1, 'one entry')
  t.ok(keys[0] === first, 'the stored key is the first array')
  t.same(Array.from(table.get(again) as Uint8Array), [30], 'the value is the last one set')
  t.end()
})
