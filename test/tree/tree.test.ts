/**
 * The Merkle treap against the sorted-map model: contents, order, ranges,
 * invariants, and a root that depends only on the contents.
 */
import test from 'tape'
import fc from 'fast-check'
import { Tree } from '../../lib/tree/tree'
import { entryNode, layoutTree, linkLayout, newTreeLayout } from '../../lib/tree/build'
import { proveKey } from '../../lib/tree/prove'
import { computeRoot, verifyProof } from '../../verify'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { scanTree } from '../../lib/tree/invariants'
import { priorityOf } from '../../lib/tree/priority'
import { checkTree } from '../../lib/tree/check'
import { compareBytes, toHex } from '../../lib/bytes'
import { SortedModel } from '../util/model'
import { range, smallKey, smallValue } from '../util/arbitraries'
import type { ModelRange } from '../util/model'
import type { TreeNode } from '../../lib/tree/node'

const params = DEFAULT_PARAMS
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

function contents (tree: Tree, reverse = false): string[] {
  const out: string[] = []
  const cursor = tree.cursor(reverse)
  cursor.first()
  for (let n = cursor.current; n !== null; cursor.advance(), n = cursor.current) out.push(`${toHex(n.key)}=${toHex(n.value)}`)
  return out
}

function modelContents (model: SortedModel): string[] {
  return model.entries().map(([k, v]) => `${toHex(k)}=${toHex(v)}`)
}

// Builds from sorted entries the way a snapshot load does: the entries laid out in one byte
// array, the layout computed from it, nodes made for the entries and linked as it says.
function build (entries: Array<[Uint8Array, Uint8Array]>): Tree {
  const spans = new Uint32Array(4 * entries.length)
  let size = 0
  entries.forEach(([k, v], i) => {
    spans.set([size, k.length, size + k.length, v.length], 4 * i)
    size += k.length + v.length
  })
  const bytes = new Uint8Array(size)
  entries.forEach(([k, v], i) => {
    bytes.set(k, spans[4 * i])
    bytes.set(v, spans[4 * i + 2])
  })
  const layout = newTreeLayout(entries.length, false)
  layoutTree({ bytes, spans }, params, layout)
  const view = (at: number, length: number): Uint8Array => bytes.subarray(at, at + length)
  const nodes = entries.map((_, i) => entryNode(view(spans[4 * i], spans[4 * i + 1]), view(spans[4 * i + 2], spans[4 * i + 3])))
  return Tree.fromRoot(linkLayout(layout, nodes), params)
}

test('tree: empty tree has a fixed root and no entries', t => {
  const tree = Tree.empty(params)
  t.is(tree.size, 0)
  t.is(tree.get(enc('a')), undefined)
  t.same(contents(tree), [])
  t.is(toHex(tree.root()), toHex(Tree.empty(params).root()), 'deterministic')
  t.is(tree.root().length, 32)
  t.end()
})

test('tree: put, overwrite, delete, and old versions stay unchanged', t => {
  const v0 = Tree.empty(params)
  const v1 = v0.put(enc('b'), enc('1')).put(enc('a'), enc('2'))
  const v2 = v1.put(enc('b'), enc('3'))
  const v3 = v2.del(enc('a'))
  t.same(contents(v1), [`${toHex(enc('a'))}=${toHex(enc('2'))}`, `${toHex(enc('b'))}=${toHex(enc('1'))}`])
  t.same(Buffer.from(v2.get(enc('b')) as Uint8Array).toString(), '3')
  t.is(v3.get(enc('a')), undefined)
  t.is(v3.size, 1)
  t.is(v1.size, 2, 'v1 unaffected by later writes')
  t.is(Buffer.from(v1.get(enc('b')) as Uint8Array).toString(), '1')
  t.is(v3.del(enc('zz')), v3, 'deleting an absent key returns the same version')
  t.end()
})

test('tree: root changes with contents and returns with them', t => {
  const a = Tree.empty(params).put(enc('k'), enc('v'))
  const b = a.put(enc('k'), enc('w'))
  const c = b.put(enc('k'), enc('v'))
  t.not(toHex(a.root()), toHex(b.root()))
  t.is(toHex(a.root()), toHex(c.root()))
  t.not(toHex(a.root()), toHex(Tree.empty(params).root()))
  t.end()
})

test('tree: random operations match the model, invariants hold, root is history-independent', t => {
  let runs = 0
  fc.assert(fc.property(
    fc.array(fc.oneof(
      fc.record({ type: fc.constant('put' as const), key: smallKey, value: smallValue }),
      fc.record({ type: fc.constant('del' as const), key: smallKey }),
      fc.record({ type: fc.constant('clear' as const), range })
    ), { maxLength: 40, size: 'medium' }),
    fc.integer(),
    (ops, seed) => {
      runs++
      let tree = Tree.empty(params)
      const model = new SortedModel()
      for (const op of ops) {
        if (op.type === 'put') { tree = tree.put(op.key, op.value); model.put(op.key, op.value) } else if (op.type === 'del') { tree = tree.del(op.key); model.del(op.key) } else { tree = tree.delRange(op.range); model.clear(op.range) }
      }
      if (JSON.stringify(contents(tree)) !== JSON.stringify(modelContents(model))) return false
      if (JSON.stringify(contents(tree, true)) !== JSON.stringify(modelContents(model).reverse())) return false
      if (tree.size !== model.size) return false
      const root = toHex(tree.root())
      const scan = scanTree(tree.top, params)
      if (scan.problems.length > 0 || scan.entries !== model.size) return false
      // The same entries inserted in a shuffled order, and built from the sorted dump, give the same root.
      const shuffled = shuffle(model.entries(), seed)
      let other = Tree.empty(params)
      for (const [k, v] of shuffled) other = other.put(k, v)
      if (toHex(other.root()) !== root) return false
      const built = build(model.entries())
      const builtScan = scanTree(built.top, params)
      if (builtScan.problems.length > 0 || builtScan.hashesChecked !== model.size) return false
      return toHex(built.root()) === root
    }
  ), { numRuns: 400 })
  t.pass(`${runs} random operation sequences matched the model`)
  t.end()
})

test('tree: getMany and hasMany (interleaved descents) answer what get and has answer, key by key', t => {
  let runs = 0
  fc.assert(fc.property(
    fc.array(fc.tuple(smallKey, smallValue), { maxLength: 40, size: 'medium' }),
    fc.array(smallKey, { maxLength: 30, size: 'medium' }),
    (entries, queries) => {
      runs++
      let tree = Tree.empty(params)
      const model = new SortedModel()
      for (const [k, v] of entries) { tree = tree.put(k, v); model.put(k, v) }
      // Queries both present and absent, repeated, and the stored keys themselves.
      const keys = [...queries, ...entries.map(([k]) => k)]
      const many = tree.getMany(keys)
      const has = tree.hasMany(keys)
      if (many.length !== keys.length || has.length !== keys.length) return false
      const agrees = (k: Uint8Array, got: Uint8Array | undefined, present: boolean): boolean => {
        const expected = model.get(k)
        const same = expected === undefined ? got === undefined : got !== undefined && toHex(got) === toHex(expected)
        return same && present === (expected !== undefined)
      }
      // Each key alone too: then every descent is the longest one, and reversed, the last the first.
      const reversed = tree.getMany([...keys].reverse()).reverse()
      return keys.every((k, i) => agrees(k, many[i], has[i]) && agrees(k, reversed[i], has[i]) &&
        agrees(k, tree.getMany([k])[0], tree.hasMany([k])[0]))
    }
  ), { numRuns: 300 })
  t.pass(`${runs} random trees and key lists agreed with the model`)
  const empty = Tree.empty(params)
  t.same(empty.getMany([enc('a'), enc('b')]), [undefined, undefined], 'an empty tree has none of them')
  t.same(empty.hasMany([]), [], 'no keys, no answers')
  let big = Tree.empty(params)
  for (let i = 0; i < 5000; i++) big = big.put(enc(`key-${i * 7}`), enc(`v${i}`))
  const probes = Array.from({ length: 700 }, (_, i) => enc(`key-${i * 3}`))
  const expected = probes.map(k => big.get(k))
  const got = big.getMany(probes)
  t.is(got.filter(v => v !== undefined).length, 100, 'a deep tree: the 100 present keys of 700 (multiples of 21) found')
  t.ok(got.every((v, i) => v === expected[i]), 'a deep tree: the very value objects get returns')
  t.end()
})

test('tree: cursor seek in both directions matches the model', t => {
  fc.assert(fc.property(fc.array(fc.tuple(smallKey, smallValue), { maxLength: 30 }), smallKey, fc.boolean(), fc.boolean(), (entries, target, reverse, inclusive) => {
    const model = new SortedModel()
    let tree = Tree.empty(params)
    for (const [k, v] of entries) { model.put(k, v); tree = tree.put(k, v) }
    const cursor = tree.cursor(reverse)
    cursor.seek(target, inclusive)
    const r: ModelRange = { reverse }
    if (reverse) r[inclusive ? 'lte' : 'lt'] = target
    else r[inclusive ? 'gte' : 'gt'] = target
    const expected = model.range(r).map(([k]) => toHex(k))
    const got: string[] = []
    for (let n = cursor.current; n !== null; cursor.advance(), n = cursor.current) got.push(toHex(n.key))
    return JSON.stringify(got) === JSON.stringify(expected)
  }), { numRuns: 300 })
  t.pass('seek matched the model')
  t.end()
})

test('tree: cursor take (batched, by subtree sizes) matches single steps, and the cursor continues where it stopped', t => {
  const steps = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 12 })
  fc.assert(fc.property(fc.array(fc.tuple(smallKey, smallValue), { maxLength: 60 }), fc.option(smallKey), fc.boolean(), steps, (entries, target, reverse, moves) => {
    const model = new SortedModel()
    let tree = Tree.empty(params)
    for (const [k, v] of entries) { model.put(k, v); tree = tree.put(k, v) }
    const r: ModelRange = { reverse }
    if (target !== null) r[reverse ? 'lte' : 'gte'] = target
    const expected = model.range(r).map(([k, v]) => `${toHex(k)}=${toHex(v)}`)
    const cursor = tree.cursor(reverse)
    if (target === null) cursor.first()
    else cursor.seek(target, true)
    // 0 is one advance(); n > 0 is take(n). Then the rest one step at a time.
    const got: string[] = []
    const out = new Array<TreeNode>(40).fill(null as unknown as TreeNode)
    for (const move of moves) {
      if (move === 0) {
        const n = cursor.current
        if (n !== null) got.push(`${toHex(n.key)}=${toHex(n.value)}`)
        cursor.advance()
      } else {
        out.fill(null as unknown as TreeNode)
        const taken = cursor.take(move, out)
        if (taken !== Math.min(move, expected.length - got.length)) return false
        // Nothing written past the entries taken, and the scratch did not grow.
        if (out.length !== 40 || out.slice(taken).some(n => n !== null)) return false
        for (let i = 0; i < taken; i++) got.push(`${toHex(out[i].key)}=${toHex(out[i].value)}`)
      }
    }
    for (let n = cursor.current; n !== null; cursor.advance(), n = cursor.current) got.push(`${toHex(n.key)}=${toHex(n.value)}`)
    return JSON.stringify(got) === JSON.stringify(expected)
  }), { numRuns: 500 })
  t.pass('takes and steps matched the model')
  const many: Array<[Uint8Array, Uint8Array]> = []
  for (let i = 0; i < 5000; i++) many.push([enc(`k${String(i).padStart(5, '0')}`), enc(`v${i}`)])
  let big = Tree.empty(params)
  for (const [k, v] of shuffle(many, 3)) big = big.put(k, v)
  for (const reverse of [false, true]) {
    const cursor = big.cursor(reverse)
    cursor.first()
    const out = new Array<TreeNode>(1024).fill(null as unknown as TreeNode)
    const keys: string[] = []
    for (let taken = cursor.take(1024, out); taken > 0; taken = cursor.take(1024, out)) {
      for (let i = 0; i < taken; i++) keys.push(Buffer.from(out[i].key).toString())
    }
    const sorted = many.map(([k]) => Buffer.from(k).toString())
    if (reverse) sorted.reverse()
    t.same(keys, sorted, `5,000 shuffled inserts taken 1,024 at a time${reverse ? ', in reverse' : ''}: every key once, in order`)
    t.is(cursor.current, null, 'the cursor ends past the last entry')
  }
  t.end()
})

test('tree: 20,000 keys — depth is logarithmic, build equals inserts, hashes verified', t => {
  const entries: Array<[Uint8Array, Uint8Array]> = []
  for (let i = 0; i < 20000; i++) entries.push([enc(`key-${String(i).padStart(6, '0')}`), enc(`value-${i}`)])
  let tree = Tree.empty(params)
  for (const [k, v] of shuffle(entries, 7)) tree = tree.put(k, v)
  const built = build(entries)
  t.is(toHex(tree.root()), toHex(built.root()), 'incremental inserts and the O(n) build agree')
  const builtScan = scanTree(built.top, params)
  t.same(builtScan.problems, [], 'the built tree: shape, sizes, priorities and every cached hash right')
  t.is(builtScan.hashesChecked, 20000, 'the built tree comes with every node hashed')
  // Writes on the built tree copy its nodes, whose digests live in the layout's arrays: the same
  // value again (the copy shares the value hash), new values, deletions, new keys.
  const edit = (base: Tree): Tree => {
    let next = base
    for (let i = 0; i < 20000; i += 97) {
      const [k, v] = entries[i]
      if (i % 4 === 0) next = next.put(k, v)
      else if (i % 4 === 1) next = next.put(k, enc(`changed-${i}`))
      else if (i % 4 === 2) next = next.del(k)
      else next = next.put(enc(`key-${String(i).padStart(6, '0')}+`), enc(`new-${i}`))
    }
    return next
  }
  const editedBuilt = edit(built)
  const editedTree = edit(tree)
  t.is(toHex(editedBuilt.root()), toHex(editedTree.root()), 'the same writes on the built and the inserted tree give the same root')
  t.same(scanTree(editedBuilt.top, params).problems, [], 'and every cached hash of the edited built tree is right')
  t.is(toHex(built.root()), toHex(tree.root()), 'the built tree itself is unchanged by them')
  const scan = scanTree(tree.top, params)
  t.same(scan.problems, [])
  t.is(scan.entries, 20000)
  t.is(scan.hashesChecked, 20000)
  t.ok(scan.depth < 60, `depth ${scan.depth} is logarithmic (expected about 2 ln n = 20, at most a few times that)`)
  const cleared = tree.delRange({ gte: enc('key-005000'), lt: enc('key-015000') })
  t.is(cleared.size, 10000)
  t.same(scanTree(cleared.top, params).problems, [])
  t.is(toHex(cleared.root()), toHex(build(entries.filter(([k]) => !(Buffer.from(k).toString() >= 'key-005000' && Buffer.from(k).toString() < 'key-015000'))).root()))
  t.end()
})

test('tree: a salt changes every root but not the contents', t => {
  const salted = { salt: enc('pepper') }
  const a = Tree.empty(params).put(enc('x'), enc('1')).put(enc('y'), enc('2'))
  const b = Tree.empty(salted).put(enc('x'), enc('1')).put(enc('y'), enc('2'))
  t.not(toHex(a.root()), toHex(b.root()))
  t.same(contents(a), contents(b))
  t.end()
})

function shuffle<T> (list: T[], seed: number): T[] {
  const copy = list.slice()
  let s = seed >>> 0
  for (let i = copy.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    const j = s % (i + 1)
    const tmp = copy[i]; copy[i] = copy[j]; copy[j] = tmp
  }
  return copy
}

test('tree: an edit (nodes reused in place) gives the same trees and leaves earlier versions whole', t => {
  fc.assert(fc.property(
    fc.array(fc.tuple(smallKey, smallValue), { maxLength: 20 }),
    fc.array(fc.oneof(
      fc.record({ type: fc.constant('put' as const), key: smallKey, value: smallValue }),
      fc.record({ type: fc.constant('del' as const), key: smallKey }),
      fc.record({ type: fc.constant('clear' as const), range })
    ), { maxLength: 30 }),
    (initial, ops) => {
      let base = Tree.empty(params)
      for (const [k, v] of initial) base = base.put(k, v)
      const before = contents(base)
      const beforeRoot = toHex(base.root())
      let plain = base
      for (const op of ops) plain = op.type === 'put' ? plain.put(op.key, op.value) : op.type === 'del' ? plain.del(op.key) : plain.delRange(op.range)
      const edited = base.edit(tree => {
        for (const op of ops) tree = op.type === 'put' ? tree.put(op.key, op.value) : op.type === 'del' ? tree.del(op.key) : tree.delRange(op.range)
        return tree
      })
      if (JSON.stringify(contents(edited)) !== JSON.stringify(contents(plain))) return false
      if (toHex(edited.root()) !== toHex(plain.root())) return false
      if (scanTree(edited.top, params).problems.length > 0) return false
      // The version the edit started from is untouched.
      return JSON.stringify(contents(base)) === JSON.stringify(before) && toHex(Tree.fromRoot(base.top, params).root()) === beforeRoot &&
        scanTree(base.top, params).problems.length === 0
    }
  ), { numRuns: 500 })
  t.pass('500 edits matched plain path copying')
  t.end()
})

test('tree: a range delete that removes nothing, within an edit after a root taken mid-edit, leaves roots and proofs right (regression)', t => {
  // Within the open edit, a range delete splits and joins the tree: nodes of older versions on
  // the way are copied and are to hash, although nothing was removed and the top node is the
  // same object. The version's root cached by the mid-edit root() must not be trusted then.
  const key = (i: number): Uint8Array => enc(`k${String(i).padStart(3, '0')}`)
  let base = Tree.empty(params)
  for (let i = 0; i < 200; i += 2) base = base.put(key(i), enc(`v${i}`))
  base.root()
  let wrong = 0
  let gaps = 0
  for (let i = 0; i < 200; i += 2) {
    const edit = Tree.newEdit()
    let tree = base.edit(v => v.put(enc('k'), enc('new')), edit)
    tree.root()
    // `k{i+1}` lies between two stored keys: the range holds nothing.
    tree = tree.edit(v => v.delRange({ gte: key(i + 1), lt: key(i + 2) }), edit)
    gaps++
    const root = tree.root()
    const fresh = Tree.empty(params).put(enc('k'), enc('new'))
    let expected = fresh
    for (let j = 0; j < 200; j += 2) expected = expected.put(key(j), enc(`v${j}`))
    if (toHex(root) !== toHex(expected.root())) wrong++
    for (let j = 0; j < 200; j += 2) {
      try {
        if (!verifyProof(root, proveKey(tree, key(j))).present) wrong++
      } catch {
        wrong++
      }
    }
    if (scanTree(tree.top, params).problems.length > 0) wrong++
  }
  t.is(gaps, 100, 'an empty range in every gap')
  t.is(wrong, 0, 'every root equal to a fresh tree\'s, every proof verified, no invariant broken')
  t.end()
})

test('tree: more dirty nodes than one listing segment (65,536) hash to the independently computed root, at once and in slices', async t => {
  const n = 70_000
  const entries: Array<[Uint8Array, Uint8Array]> = []
  for (let i = 0; i < n; i++) {
    // Scattered keys: i times an odd constant, so the insertion order is not the key order.
    const k = Math.imul(i, 0x9e3779b1) >>> 0
    entries.push([Uint8Array.of(k >>> 24, (k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff), Uint8Array.of(i & 0xff)])
  }
  const fill = (): Tree => Tree.editing(() => {
    let tree = Tree.empty(params)
    for (const [k, v] of entries) tree = tree.put(k, v)
    return tree
  })
  const sorted = entries.slice().sort((a, b) => compareBytes(a[0], b[0])).map(([key, value]) => ({ key, value }))
  const expected = toHex(computeRoot(sorted))
  const atOnce = fill()
  t.equal(atOnce.top?.dirty, true, 'nothing hashed before the root')
  t.equal(toHex(atOnce.root()), expected, 'root() hashes them all')
  t.equal(toHex(await fill().rootAsync()), expected, 'rootAsync() too, in slices')
  t.equal(scanTree(atOnce.top, params).problems.length, 0, 'every cached hash right')
})

test('tree: a flipped bit in a built tree\'s digests, kept in the layout\'s arrays, is found', async t => {
  const entries: Array<[Uint8Array, Uint8Array]> = []
  for (let i = 0; i < 50; i++) entries.push([enc(`k${String(i).padStart(2, '0')}`), enc(`v${i}`)])
  const built = build(entries)
  const top = built.top as TreeNode
  const slab = top.slab
  if (slab === null) {
    t.fail('a built node keeps its digests in the layout\'s arrays')
    return
  }
  t.same((await checkTree(built)).problems, [], 'intact')
  slab.nodeHashes[top.slot * 32 + 5] ^= 1
  t.same((await checkTree(built)).problems, [`cached hash wrong at ${toHex(top.key)}`, 'root differs from the one recomputed'], 'a node hash')
  slab.nodeHashes[top.slot * 32 + 5] ^= 1
  let leaf = top
  while (leaf.left !== null || leaf.right !== null) leaf = (leaf.left ?? leaf.right) as TreeNode
  slab.valueHashes[leaf.slot * 32 + 7] ^= 0x10
  t.same((await checkTree(built)).problems, [`cached value hash wrong at ${toHex(leaf.key)}`], 'a value hash')
})

test('tree: keys whose 30-bit priorities tie are ordered by their full priorities, built as inserted', t => {
  // About one pair in 2^30 ties; among some 50,000 keys a pair is expected.
  const seen = new Map<number, Uint8Array>()
  let pair: [Uint8Array, Uint8Array] | null = null
  for (let i = 0; pair === null && i < 1000000; i++) {
    const key = enc(`tie-${i}`)
    const prio = priorityOf(key, params)
    const other = seen.get(prio)
    if (other !== undefined) pair = [other, key]
    else seen.set(prio, key)
  }
  if (pair === null) {
    t.fail('no tie found')
    return
  }
  const [a, b] = pair
  t.is(priorityOf(a, params), priorityOf(b, params), `${Buffer.from(a).toString()} and ${Buffer.from(b).toString()} tie on 30 bits`)
  // Both orders of insertion, and the build from sorted entries, with neighbours on both sides.
  const entries = [a, b, enc('tie-'), enc('tie-~')].sort(compareBytes).map((k, i): [Uint8Array, Uint8Array] => [k, enc(`v${i}`)])
  const built = build(entries)
  let forward = Tree.empty(params)
  for (const [k, v] of entries) forward = forward.put(k, v)
  let backward = Tree.empty(params)
  for (const [k, v] of [...entries].reverse()) backward = backward.put(k, v)
  t.is(toHex(built.root()), toHex(forward.root()), 'the build gives the inserted tree\'s root')
  t.is(toHex(backward.root()), toHex(forward.root()), 'whatever the order of insertion')
  t.same(scanTree(built.top, params).problems, [], 'heap order by the full priorities holds')
  t.end()
})

test('tree: 70,000 nodes hashed in one pass, at once or in slices, give the built tree\'s root, and later writes in place or by copies too', async t => {
  const entries: Array<[Uint8Array, Uint8Array]> = []
  for (let i = 0; i < 70000; i++) entries.push([enc(`bulk-${String(i).padStart(6, '0')}`), enc(`value-${i}`)])
  // One edit, as a replay makes: the writes reuse the nodes it created, and they are hashed in place later.
  const bulk = (edit: number): Tree => Tree.empty(params).edit(base => {
    let next = base
    for (const [k, v] of shuffle(entries, 3)) next = next.put(k, v)
    return next
  }, edit)
  const reference = build(entries)
  t.is(toHex(await bulk(0).rootAsync()), toHex(reference.root()), 'hashed asynchronously: the root of the same entries built from a layout')
  const edit = Tree.newEdit()
  const tree = bulk(edit)
  t.is(toHex(tree.root()), toHex(reference.root()), 'hashed at once: the same root')
  const scan = scanTree(tree.top, params)
  t.same(scan.problems, [], 'every cached hash right')
  t.is(scan.hashesChecked, 70000)
  // Writes after the edit copy the nodes; writes in the same edit (last: they change this version) change them in place.
  const change = (base: Tree, e: number): Tree => base.edit(next => {
    let out = next
    for (let i = e; i < 70000; i += 211) {
      const [k, v] = entries[i]
      if (i % 3 === 0) out = out.put(k, v)
      else if (i % 3 === 1) out = out.put(k, enc(`new-${i}`))
      else out = out.del(k)
    }
    return out
  }, e === 0 ? edit : 0)
  for (const e of [1, 0]) {
    const changed = change(tree, e)
    const expected = change(reference, e)
    t.is(toHex(changed.root()), toHex(expected.root()), `${e === 0 ? 'in place' : 'by copies'}: the same root as the same writes on the built tree`)
    t.same(scanTree(changed.top, params).problems, [], `${e === 0 ? 'in place' : 'by copies'}: every cached hash right`)
  }
})
