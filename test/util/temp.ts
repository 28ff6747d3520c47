/**
 * Temporary directories for tests, removed when the process exits.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = mkdtempSync(join(tmpdir(), 'merkle-level-test-'))
let counter = 0

process.on('exit', () => {
  if (process.env.KEEP_TEST_DIRS === undefined) rmSync(root, { recursive: true, force: true })
})

/** A fresh, not yet existing directory path under the test root. */
export function tempLocation (name = 'db'): string {
  return join(root, `${name}-${++counter}`)
}
