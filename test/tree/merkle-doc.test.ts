/**
 * The test vectors printed in docs/MERKLE.md sections 9 and 11.7 (the package
 * ships the document, not test/fixtures) equal the golden fixtures, field by field, and
 * the standalone verifier gives the results the document states: the
 * document cannot drift from the vectors.
 */
import test from 'tape'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { computeRoot, verifyChangeProof, verifyProof, verifyRangeProof } from '../../verify'
import type { CoveredRange } from '../../verify'
import { toHex } from '../../lib/bytes'

const ROOT = join(__dirname, '..', '..', '..')
const doc = readFileSync(join(ROOT, 'docs', 'MERKLE.md'), 'utf8')
const roots = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'merkle-roots.json'), 'utf8')) as { sets: FixtureSet[] }
const proofs = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'merkle-proofs.json'), 'utf8')) as { proofs: FixtureProof[] }
const changes = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'merkle-change-proofs.json'), 'utf8')) as { proofs: FixtureChange[] }

interface FixtureNode { key: string, priority: string, valueHash: string, nodeHash: string, left: string | null, right: string | null }
interface FixtureSet { name: string, salt: string, entries: Array<[string, string]>, root: string, topHash: string, nodes?: FixtureNode[] }
interface FixtureRange { gt?: string, gte?: string, lt?: string, lte?: string, limit?: number, reverse: boolean }
interface FixtureProof { name: string, root: string, query: { key?: string, range?: FixtureRange }, proof: string }
interface FixtureChange { name: string, from: string, to: string, proof: string, countAfter: number }

/** A block's fields: the label in the first 12 columns, then its lines (continuations have no label). */
type Block = Array<{ label: string, lines: string[] }>

const LABEL = 12

function blocksOfSection9 (): Block[] {
  return blocksBetween('## 9. Test vectors', '## 10. Figures')
}

function blocksBetween (start: string, end: string | null): Block[] {
  const section = doc.slice(doc.indexOf(start), end === null ? undefined : doc.indexOf(end))
  return [...section.matchAll(/```text\n([\s\S]*?)```/g)].map(([, body]) => {
    const block: Block = []
    for (const line of body.split('\n').filter(l => l.trim() !== '')) {
      const label = line.slice(0, LABEL).trim()
      if (label !== '') block.push({ label, lines: [line.slice(LABEL).trim()] })
      else block[block.length - 1].lines.push(line.trim())
    }
    return block
  })
}

const field = (block: Block, label: string): string => block.find(f => f.label === label)?.lines.join('') ?? 'missing'
const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], h => parseInt(h, 16))
const ascii = (s: string): string => toHex(new TextEncoder().encode(s))

function rangeText (r: FixtureRange): string {
  const parts = (['gt', 'gte', 'lt', 'lte'] as const).filter(b => r[b] !== undefined).map(b => `${b} ${r[b] as string}`)
  if (r.limit !== undefined) parts.push(`limit ${r.limit}`)
  if (r.reverse) parts.push('reverse')
  return ['range', ...parts].join(' ')
}

function coveredText (c: CoveredRange | null): string {
  if (c === null) return 'nothing'
  const parts = (['gt', 'gte', 'lt', 'lte'] as const).filter(b => c[b] !== undefined).map(b => `${b} ${toHex(c[b] as Uint8Array)}`)
  return parts.length === 0 ? 'everything' : parts.join(' ')
}

const blocks = blocksOfSection9()
const setBlocks = blocks.filter(b => b[0]?.label === 'set')
const proofBlocks = blocks.filter(b => b[0]?.label === 'proof')

test('docs/MERKLE.md: every vector set is printed and equals the fixtures', t => {
  t.equal(setBlocks.length + proofBlocks.length, blocks.length, 'every block of section 9 is a set or a proof')
  t.same(setBlocks.map(b => field(b, 'set')).sort(), roots.sets.map(s => s.name).sort(), 'every fixture set')
  for (const block of setBlocks) {
    const name = field(block, 'set')
    const set = roots.sets.find(s => s.name === name) as FixtureSet
    const salt = field(block, 'salt')
    t.equal(salt === '(empty)' ? '' : salt, set.salt, `${name}: salt`)
    const entriesText = field(block, 'entries')
    if (name.startsWith('hundred')) {
      // The document states the rule: key-000 = value 0 … key-099 = value 99.
      const rule = Array.from({ length: 100 }, (_, i) => [ascii(`key-${String(i).padStart(3, '0')}`), ascii(`value ${i}`)])
      t.same(rule, set.entries, `${name}: the entries follow the stated rule`)
    } else {
      const entries = entriesText === '(none)' ? [] : entriesText.split(' ').map(e => e.split('='))
      t.same(entries, set.entries, `${name}: entries`)
    }
    t.equal(field(block, 'top'), set.topHash, `${name}: top hash`)
    t.equal(field(block, 'root'), set.root, `${name}: root`)
    const root = computeRoot(set.entries.map(([k, v]) => ({ key: hex(k), value: hex(v) })), hex(set.salt))
    t.equal(toHex(root), field(block, 'root'), `${name}: computeRoot gives the printed root`)
    const nodes = block.filter(f => f.label.startsWith('node '))
    for (const node of nodes) {
      const key = node.label.slice('node '.length)
      const [priority, valueHash, nodeHash, children] = node.lines.map(l => l.replace(/ +/g, ' '))
      const expected = set.nodes?.find(n => n.key === key)
      t.same([priority, valueHash, nodeHash, children], expected === undefined
        ? ['a node of the fixtures']
        : [`priority ${expected.priority}`, `value hash ${expected.valueHash}`, `node hash ${expected.nodeHash}`, `children ${expected.left ?? '-'} ${expected.right ?? '-'}`].map(s => s.replace(/ +/g, ' ')),
      `${name}: node ${key}`)
    }
    if (nodes.length > 0) t.equal(nodes.length, set.entries.length, `${name}: every node printed`)
  }
  t.ok(setBlocks.some(b => field(b, 'salt') !== '(empty)' && hasNodes(b)), 'a salted set with every node')
  t.end()
})

function hasNodes (block: Block): boolean {
  return block.some(f => f.label.startsWith('node '))
}

test('docs/MERKLE.md: every printed proof equals its fixture and verifies to the printed result', t => {
  t.ok(proofBlocks.length >= 5, `${proofBlocks.length} proofs printed`)
  for (const block of proofBlocks) {
    const name = field(block, 'proof')
    const fixture = proofs.proofs.find(p => p.name === name)
    if (fixture === undefined) {
      t.fail(`${name}: not a fixture`)
      continue
    }
    t.equal(field(block, 'root'), fixture.root, `${name}: root`)
    t.equal(field(block, 'bytes'), fixture.proof, `${name}: bytes`)
    const query = fixture.query.key !== undefined ? `key ${fixture.query.key === '' ? '(empty)' : fixture.query.key}` : rangeText(fixture.query.range as FixtureRange)
    t.equal(field(block, 'query'), query, `${name}: query`)
    const bytes = hex(fixture.proof)
    if (fixture.query.key !== undefined) {
      const fact = verifyProof(fixture.root, bytes)
      t.equal(field(block, 'result'), fact.present ? `present, value ${toHex(fact.value)}` : 'absent', `${name}: result`)
    } else {
      const fact = verifyRangeProof(fixture.root, bytes)
      const entries = fact.entries.length === 0 ? 'no entries' : fact.entries.map(e => `${toHex(e.key)}=${toHex(e.value)}`).join(' ')
      t.equal(field(block, 'result'), entries, `${name}: entries`)
      t.equal(field(block, 'covered'), coveredText(fact.covered), `${name}: covered`)
    }
  }
  t.ok(proofBlocks.some(b => field(b, 'bytes').slice(4, 6) !== '00'), 'a proof with a salt')
  t.end()
})

const opsText = (ops: Array<{ type: string, key: Uint8Array, value?: Uint8Array }>): string =>
  ops.length === 0 ? '(none)' : ops.map(op => op.type === 'put' ? `put ${toHex(op.key)}=${toHex(op.value as Uint8Array)}` : `del ${toHex(op.key)}`).join(', ')

test('docs/MERKLE.md: every printed change proof equals its fixture and verifies to the printed operations', t => {
  const changeBlocks = blocksBetween('### 11.7 Test vectors', null)
  t.ok(changeBlocks.length >= 5 && changeBlocks.every(b => b[0]?.label === 'change'), `${changeBlocks.length} change proofs printed`)
  for (const block of changeBlocks) {
    const name = field(block, 'change')
    const fixture = changes.proofs.find(p => p.name === name)
    if (fixture === undefined) {
      t.fail(`${name}: not a fixture`)
      continue
    }
    t.same([field(block, 'from'), field(block, 'to'), field(block, 'bytes')], [fixture.from, fixture.to, fixture.proof], `${name}: roots and bytes`)
    const fact = verifyChangeProof(hex(fixture.proof), { from: field(block, 'from'), to: field(block, 'to') })
    t.equal(field(block, 'ops'), opsText(fact.ops), `${name}: operations`)
    t.equal(field(block, 'count'), String(fact.countAfter), `${name}: count after`)
  }
  t.ok(changeBlocks.some(b => field(b, 'bytes').slice(4, 6) !== '00'), 'a change proof with a salt')
  t.end()
})
