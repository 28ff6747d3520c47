/**
 * A database several times larger than the JavaScript heap: a child process
 * with a 32 MB old generation loads 160,000 entries of 1000-byte values
 * (160 MB of keys and values, over three times the heap's limit),
 * reopens the database, reads every tenth key back and walks every entry.
 * Before tree images the whole state lived in the heap, and this child died
 * of "JavaScript heap out of memory".
 */
import test from 'tape'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { readdirSync, statSync } from 'node:fs'
import { tempLocation } from '../util/temp'

const child = join(__dirname, '..', 'util', 'small-heap-child.js')
const COUNT = 160_000
const VALUE = 1000

test('small heap: a database several times the heap loads, reopens and reads back', t => {
  const location = tempLocation('small-heap')
  const run = spawnSync(process.execPath, ['--max-old-space-size=32', '--max-semi-space-size=4', child, location, String(COUNT), String(VALUE)], { encoding: 'utf8', timeout: 600_000 })
  t.is(run.status, 0, `the child exited normally${run.status === 0 ? '' : `: ${run.stderr.slice(-2000)}`}`)
  const seen = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}')
  const userBytes = COUNT * (14 + VALUE)
  const diskBytes = readdirSync(location).reduce((n, name) => n + statSync(join(location, name)).size, 0)
  t.ok(3 * seen.heapLimit < userBytes, `the data (${userBytes} bytes; ${diskBytes} on disk) is over three times the heap limit (${seen.heapLimit} bytes)`)
  t.is(seen.wrong, 0, 'every tenth key read back with its value')
  t.is(seen.walked, COUNT, 'the walk met every entry')
  t.is(seen.outOfOrder, 0, 'in key order')
  t.is(seen.reopenedRoot, seen.root, 'with the root of before the close')
  t.end()
})
