/**
 * The bounded line reader behind `import`: line ends, numbering, and the
 * bound, which must stay below V8's longest string.
 */
import test from 'tape'
import { constants } from 'node:buffer'
import { MAX_LINE_BYTES, boundedLines } from '../../lib/cli/lines'
import { UsageError } from '../../lib/cli/exit-codes'

async function * chunks (...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part, 'utf8')
}

async function lines (max: number, ...parts: string[]): Promise<Array<[number, string]>> {
  const found: Array<[number, string]> = []
  for await (const line of boundedLines(chunks(...parts), 'input', max)) found.push([line.number, line.text])
  return found
}

test('lines: split across chunks, \\n and \\r\\n ends, numbered from 1', async t => {
  t.deepEqual(await lines(100, 'ab', 'c\r\nd', 'e\n\nf'), [[1, 'abc'], [2, 'de'], [3, ''], [4, 'f']], 'four lines, the last without an end')
  t.deepEqual(await lines(100, 'a\n'), [[1, 'a']], 'a final line end makes no empty line')
  t.deepEqual(await lines(100, 'é', '\n'), [[1, 'é']], 'UTF-8 text')
})

test('lines: a line longer than the bound is refused with its number', async t => {
  t.deepEqual(await lines(3, 'abc\n', 'def'), [[1, 'abc'], [2, 'def']], 'lines of exactly the bound pass')
  try {
    await lines(3, 'abc\nde', 'fg\nh')
    t.fail('a line of 4 bytes passed a bound of 3')
  } catch (err) {
    t.ok(err instanceof UsageError, 'a usage error (exit 2)')
    t.ok((err as Error).message.startsWith('line 2 of input '), 'naming the line and the input')
  }
})

test('lines: the default bound is below the longest string V8 makes', t => {
  t.ok(MAX_LINE_BYTES < constants.MAX_STRING_LENGTH, `${MAX_LINE_BYTES} < ${constants.MAX_STRING_LENGTH}`)
  t.end()
})
