/**
 * Lines of a byte stream, each at most a bounded number of bytes. Node's
 * readline joins a line into one string however long it is: a line of
 * 600 MB passes V8's longest string and throws a RangeError from inside the
 * stream. Here a line over the bound is refused, naming it, before it is
 * joined; memory stays within the bound.
 */
import { UsageError } from './exit-codes'
import { formatBytes } from '../format-bytes'

/**
 * The longest input line `import` accepts: 256 MiB (a value of about
 * 190 MiB in base64), half of V8's longest string.
 */
export const MAX_LINE_BYTES = 256 * 1024 * 1024

const NEWLINE = 0x0a
const RETURN = 0x0d

/** The lines of `input` (UTF-8, `\n` or `\r\n` ends), numbered from 1; `source` names it in errors. */
export async function * boundedLines (
  input: AsyncIterable<Buffer | string>, source: string, maxBytes: number = MAX_LINE_BYTES
): AsyncGenerator<{ text: string, number: number }> {
  let parts: Buffer[] = []
  let length = 0
  let number = 1
  const take = (): string => {
    let line = Buffer.concat(parts, length)
    if (line.length > 0 && line[line.length - 1] === RETURN) line = line.subarray(0, -1)
    parts = []
    length = 0
    return line.toString('utf8')
  }
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    let start = 0
    for (let end = bytes.indexOf(NEWLINE, start); ; end = bytes.indexOf(NEWLINE, start)) {
      const piece = bytes.subarray(start, end < 0 ? bytes.length : end)
      if (length + piece.length > maxBytes) {
        throw new UsageError(`line ${number} of ${source} is longer than ${formatBytes(maxBytes)}, the longest line import reads`)
      }
      parts.push(piece)
      length += piece.length
      if (end < 0) break
      yield { text: take(), number: number++ }
      start = end + 1
    }
  }
  if (length > 0) yield { text: take(), number }
}
