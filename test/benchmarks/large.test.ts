/**
 * The large benchmark's pure parts: entries made by index (the same for
 * every store and process, keys distinct) and the RESULTS.md section that
 * a large run replaces and the comparison carries over.
 */
import test from 'tape'
import { batchOps, keyAt } from '../../benchmarks/large/data'
import { keptLarge, LARGE_BEGIN, LARGE_END, spliceLarge } from '../../benchmarks/large/report'

test('large data: an entry depends on its index alone; keys are distinct', t => {
  const ops = batchOps(1000, 3000)
  t.is(ops.length, 2000)
  t.same([ops[0].key.length, ops[0].value.length], [16, 100])
  t.same(keyAt(1500), ops[500].key, 'a key re-made for a get is the key written')
  t.same(batchOps(1500, 1501)[0].value, ops[500].value, 'and so is its value, whatever the batch')
  const keys = new Set(ops.map(op => Buffer.from(op.key).toString('hex')))
  t.is(keys.size, 2000)
  t.notSame(ops[0].value, ops[1].value)
  t.end()
})

const section = (text: string): string => `${LARGE_BEGIN}\n## Large database\n\n${text}\n${LARGE_END}`

test('large report: the section is appended, then replaced alone', t => {
  t.is(spliceLarge(null, section('a')), section('a') + '\n', 'a new file holds the section')
  const report = '# Benchmark results\n\nfigures\n'
  const first = spliceLarge(report, section('a'))
  t.is(first, `${report}\n${section('a')}\n`)
  t.is(keptLarge(first), section('a'))
  const second = spliceLarge(first, section('b $& $1'))
  t.is(second, `${report}\n${section('b $& $1')}\n`, 'the old section goes, the rest stays, replacement patterns are text')
  t.is(keptLarge(report), null)
  t.end()
})
