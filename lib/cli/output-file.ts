/**
 * An output file that appears whole or not at all: lines go to a temporary
 * file beside it, which takes the final name only when everything was
 * written. A command that fails half-way (a value it cannot encode, a full
 * disk) leaves no partial file under the name the user gave.
 */
import { createWriteStream, existsSync, linkSync, openSync, renameSync, unlinkSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { ioError } from '../errors'
import { outputTo } from './output'
import type { Output } from './output'

/** An {@link Output} into a file that is published by `commit` and removed by `abandon`. */
export interface FileOutput extends Output {
  /** Closes the temporary file and gives it the final name (refused if that name exists by then). */
  commit (): Promise<void>
  /** Removes the temporary file. */
  abandon (): void
}

/** An output file at `path`, which must not exist. */
export async function newOutputFile (path: string): Promise<FileOutput> {
  if (existsSync(path)) throw ioError(`Output file ${path} already exists (it is not overwritten)`)
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`)
  let fd: number
  try {
    fd = openSync(temp, 'wx')
  } catch (err) {
    throw ioError(`Cannot create ${temp} for the output file ${path}: ${(err as Error).message}`, err)
  }
  const stream = createWriteStream(temp, { fd })
  const out = outputTo(stream, path)
  let open = true
  return {
    ...out,
    async commit () {
      await out.end()
      open = false
      publish(temp, path)
    },
    abandon () {
      // Destroying the stream closes its descriptor.
      if (open) stream.destroy()
      try { unlinkSync(temp) } catch {}
    }
  }
}

// A hard link gives the final name only if it is free; where links are not supported, a rename.
function publish (temp: string, path: string): void {
  try {
    linkSync(temp, path)
    unlinkSync(temp)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw ioError(`Output file ${path} appeared while writing it (it is not overwritten)`, err)
    if (existsSync(path)) throw ioError(`Cannot publish the output file ${path}: ${(err as Error).message}`, err)
    renameSync(temp, path)
  }
}
