/**
 * Writing to standard output and standard error. Output is awaited when the
 * stream is full (a dump of millions of entries must not pile up in memory),
 * and a reader that goes away (`merkle-level dump db | head`) ends the
 * program quietly instead of with an EPIPE error.
 */
import type { Writable } from 'node:stream'
import { ioError } from '../errors'

/** Where a command writes. */
export interface Output {
  /** Writes a line to standard output (or the output file). */
  line (text: string): Promise<void>
  /** Writes a line of JSON. */
  json (value: unknown): Promise<void>
  /** A message for the person at the terminal, on standard error. */
  note (text: string): void
  /** Flushes and closes an output file (standard output stays open). */
  end (): Promise<void>
}

/** Output to `stream` (standard output unless an output file is given); `name` names it in errors. */
export function outputTo (stream: Writable = process.stdout, name = 'standard output'): Output {
  let gone = false
  let failure: Error | null = null
  let wake = (): void => {}
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' && stream === process.stdout) {
      gone = true
      process.exit(0)
    }
    // Reported by the next write or end, which the command awaits: never an uncaught exception.
    failure ??= ioError(`Cannot write ${name}: ${err.message}`, err)
    wake()
  })
  const check = (): void => { if (failure !== null) throw failure }
  const line = async (text: string): Promise<void> => {
    if (gone) return
    check()
    if (!stream.write(text + '\n')) await new Promise<void>(resolve => { wake = resolve; stream.once('drain', resolve) })
    check()
  }
  return {
    line,
    json: async value => await line(JSON.stringify(value)),
    note: text => { process.stderr.write(text + '\n') },
    end: async () => {
      if (stream === process.stdout) return
      await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => err != null ? reject(err) : resolve()))
      check()
    }
  }
}

/** Lines of `label  value` with the values aligned. */
export function table (rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([label]) => label.length))
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`)
}
