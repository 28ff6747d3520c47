/**
 * The replication benchmark's RESULTS.md section: appended, then replaced
 * alone, and left alone by the large run's section and its own.
 */
import test from 'tape'
import { keptReplication, REPLICATION_BEGIN, REPLICATION_END, spliceReplication } from '../../benchmarks/sync-report'
import { LARGE_BEGIN, LARGE_END, keptLarge, spliceLarge } from '../../benchmarks/large/report'

const section = (text: string): string => `${REPLICATION_BEGIN}\n## Replication\n\n${text}\n${REPLICATION_END}`
const large = `${LARGE_BEGIN}\n## Large database\n\nL\n${LARGE_END}`

test('replication report: the section is appended, then replaced alone, beside the large one', t => {
  t.is(spliceReplication(null, section('a')), section('a') + '\n', 'a new file holds the section')
  const report = '# Benchmark results\n\nfigures\n'
  const first = spliceReplication(spliceLarge(report, large), section('a'))
  t.is(first, `${report}\n${large}\n\n${section('a')}\n`)
  t.is(keptReplication(first), section('a'))
  t.is(keptLarge(first), large)
  const second = spliceReplication(first, section('b $& $1'))
  t.is(second, `${report}\n${large}\n\n${section('b $& $1')}\n`, 'replaced, with no replacement patterns applied')
  t.is(spliceLarge(second, large), second, 'the large run leaves it alone')
  t.is(keptReplication(report), null)
  t.end()
})
