/**
 * The diff of two tree versions (lib/tree/diff.ts) against the reference
 * model, the nodes it opens, and a node source that answers asynchronously
 * by hash, as a peer would.
 */
import test from 'tape'
import fc from 'fast-check'
import { Tree } from '../../lib/tree/tree'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { diffSources, diffTrees, treeSource } from '../../lib/tree/diff'
import type { DiffCounters, DiffSource, OpenedNode, SubtreeRef, TreeDifference } from '../../lib/tree/diff'
import { resolve } from '../../lib/tree/node'
import { compareBytes, toHex } from '../../lib/bytes'
import { SortedModel, inRange } from '../util/model'
import { range as rangeArb, writeOp } from '../util/arbitraries'
import type { ModelRange } from '../util/model'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

async function collect (walk: AsyncIterable<TreeDifference>): Promise<string[]> {
  const out: string[] = []
  for await (const d of walk) out.push(show(d.key, d.before, d.after))
  return out
}

function show (key: Uint8Array, before: Uint8Array | undefined, after: Uint8Array | undefined): string {
  return `${toHex(key)}:${before === undefined ? '-' : toHex(before)}>${after === undefined ? '-' : toHex(after)}`
}

// The model's answer: every key of either side whose values differ, in key order.
function modelDiff (before: SortedModel, after: SortedModel, range: ModelRange = {}): string[] {
  const keys = new Map<string, Uint8Array>()
  for (const [k] of [...before.entries(), ...after.entries()]) keys.set(toHex(k), k)
  return [...keys.values()].sort(compareBytes).filter(k => inRange(k, range)).flatMap(k => {
    const b = before.get(k)
    const a = after.get(k)
    return b !== undefined && a !== undefined && compareBytes(a, b) === 0 ? [] : [show(k, b, a)]
  })
}

function apply (tree: Tree, model: SortedModel, ops: Array<{ type: 'put' | 'del', key: Uint8Array, value?: Uint8Array }>): Tree {
  for (const op of ops) {
    if (op.type === 'put') {
      tree = tree.put(op.key, op.value as Uint8Array)
      model.put(op.key, op.value as Uint8Array)
    } else {
      tree = tree.del(op.key)
      model.del(op.key)
    }
  }
  return tree
}

test('diff of random histories equals the model\'s difference, in key order', async t => {
  await fc.assert(fc.asyncProperty(fc.array(writeOp, { maxLength: 40 }), fc.array(writeOp, { maxLength: 40 }), fc.option(rangeArb, { nil: undefined }), async (first, second, range) => {
    const model = new SortedModel()
    const midTree = apply(Tree.empty(DEFAULT_PARAMS), model, first)
    const midModel = model.clone()
    const endTree = apply(midTree, model, second)
    midTree.root()
    endTree.root()
    const expected = modelDiff(midModel, model, range)
    const forward = await collect(diffTrees(midTree, endTree, range))
    const backward = await collect(diffTrees(endTree, midTree, range))
    const flipped = modelDiff(model, midModel, range)
    if (JSON.stringify(forward) !== JSON.stringify(expected)) t.same(forward, expected, 'forward')
    if (JSON.stringify(backward) !== JSON.stringify(flipped)) t.same(backward, flipped, 'backward')
    return JSON.stringify(forward) === JSON.stringify(expected) && JSON.stringify(backward) === JSON.stringify(flipped)
  }), { numRuns: 500 })
  t.pass('500 random pairs of versions')
})

function bulk (count: number, value = (i: number): string => `v${i}`): Tree {
  return Tree.empty(DEFAULT_PARAMS).edit(tree => {
    for (let i = 0; i < count; i++) tree = tree.put(enc(`key-${String(i).padStart(6, '0')}`), enc(value(i)))
    return tree
  })
}

// Nodes on the path from the top to `key`, the key's own node included.
function depthOf (tree: Tree, key: Uint8Array): number {
  let depth = 0
  let at = tree.top
  while (at !== null) {
    const node = resolve(at)
    depth++
    const c = compareBytes(key, node.key)
    if (c === 0) return depth
    at = c < 0 ? node.left : node.right
  }
  return depth
}

test('equal contents are one skipped pair, whatever the order of writes', async t => {
  const a = bulk(2000)
  const b = Tree.empty(DEFAULT_PARAMS).edit(tree => {
    for (let i = 1999; i >= 0; i--) tree = tree.put(enc(`key-${String(i).padStart(6, '0')}`), enc(`v${i}`))
    return tree
  })
  t.notEqual(a.top, b.top, 'two separate trees')
  a.root()
  b.root()
  const counters: DiffCounters = { opened: 0, skipped: 0 }
  t.same(await collect(diffTrees(a, b, {}, counters)), [], 'no difference')
  t.same(counters, { opened: 0, skipped: 1 }, 'nothing opened')
  const empty = Tree.empty(DEFAULT_PARAMS)
  empty.root()
  const none: DiffCounters = { opened: 0, skipped: 0 }
  t.same(await collect(diffTrees(empty, empty, {}, none)), [], 'two empty trees')
  t.same(none, { opened: 0, skipped: 0 }, 'nothing to open or skip')
})

test('one changed, added or removed key in 20,000 opens a few times its depth', async t => {
  const base = bulk(20000)
  base.root()
  const key = enc('key-012345')
  const cases: Array<[string, Tree, string[]]> = [
    ['changed', base.put(key, enc('new')), [show(key, enc('v12345'), enc('new'))]],
    ['removed', base.del(key), [show(key, enc('v12345'), undefined)]],
    ['added', base.put(enc('key-012345x'), enc('x')), [show(enc('key-012345x'), undefined, enc('x'))]]
  ]
  for (const [name, next, expected] of cases) {
    next.root()
    const counters: DiffCounters = { opened: 0, skipped: 0 }
    t.same(await collect(diffTrees(base, next, {}, counters)), expected, `${name}: the one difference`)
    const depth = Math.max(depthOf(base, key), depthOf(next, key))
    t.ok(counters.opened <= 4 * depth + 8, `${name}: ${counters.opened} nodes opened at depth ${depth} (bound ${4 * depth + 8})`)
  }
})

test('d changes open about d · log n nodes', async t => {
  const base = bulk(20000)
  base.root()
  for (const d of [10, 100, 1000]) {
    const next = base.edit(tree => {
      for (let i = 0; i < d; i++) tree = tree.put(enc(`key-${String(i * Math.floor(20000 / d)).padStart(6, '0')}`), enc('changed'))
      return tree
    })
    next.root()
    const counters: DiffCounters = { opened: 0, skipped: 0 }
    const found = await collect(diffTrees(base, next, {}, counters))
    t.equal(found.length, d, `${d} differences`)
    // 2 · ln(20000) ≈ 20 is the expected depth; both sides open their paths.
    t.ok(counters.opened <= d * 4 * 20, `${d} changes: ${counters.opened} nodes opened (bound ${d * 80})`)
  }
})

// A peer's tree as a store of nodes by hash, answered asynchronously: what a remote source sees.
interface PeerRef extends SubtreeRef { readonly id: string }
function peerSource (tree: Tree, asked: string[]): DiffSource<PeerRef> {
  const local = treeSource(tree)
  const byHash = new Map<string, typeof local.top>()
  const ref = (r: typeof local.top): PeerRef | null => {
    if (r === null) return null
    byHash.set(toHex(r.hash), r)
    return { id: toHex(r.hash), hash: r.hash, size: r.size }
  }
  return {
    top: ref(local.top),
    async open (r: PeerRef): Promise<OpenedNode<PeerRef>> {
      await new Promise(resolve => setImmediate(resolve))
      asked.push(r.id)
      const node = await local.open(byHash.get(r.id) as NonNullable<typeof local.top>)
      return { key: node.key, value: node.value, left: ref(node.left), right: ref(node.right) }
    }
  }
}

test('a source that opens subtrees by hash, asynchronously, gives the same diff', async t => {
  const model = new SortedModel()
  const before = apply(Tree.empty(DEFAULT_PARAMS), model, Array.from({ length: 300 }, (_, i) => ({ type: 'put' as const, key: enc(`k${i}`), value: enc(`v${i}`) })))
  const beforeModel = model.clone()
  const after = apply(before, model, [{ type: 'del', key: enc('k7') }, { type: 'put', key: enc('k70'), value: enc('new') }, { type: 'put', key: enc('k99x'), value: enc('x') }])
  before.root()
  after.root()
  const asked: string[] = []
  const remote = await collect(diffSources(treeSource(before), peerSource(after, asked), { gte: enc('k') }))
  t.same(remote, modelDiff(beforeModel, model), 'the model\'s difference')
  t.same(remote, await collect(diffTrees(before, after)), 'the same as two local versions')
  t.ok(asked.length > 0 && asked.length < 100, `${asked.length} subtrees asked of the peer`)
})
