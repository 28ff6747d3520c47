/**
 * Listing files of the source or build tree, for the test runner and the
 * tests that check every source file.
 */
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Every file under `dir` (recursively) whose name ends with `suffix`, sorted. */
export function filesUnder (dir: string, suffix: string): string[] {
  const found: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) found.push(...filesUnder(path, suffix))
    else if (name.endsWith(suffix)) found.push(path)
  }
  return found.sort()
}
