/**
 * How a new copy replaces the replica's directory, so that a crash at any
 * moment leaves the old verified state or the new one, never a mixture:
 *
 *   1. The copy is built in `<dir>.replica-staging` (never read as a replica).
 *   2. Once verified, complete and durable, it is renamed `<dir>.replica-ready`
 *      (and the parent fsynced): from now on it is the state to install.
 *   3. `<dir>` is renamed `<dir>.replica-old`, `<dir>.replica-ready` renamed
 *      `<dir>`, the parent fsynced, and the old copy removed.
 *
 * A directory cannot be renamed over a non-empty one, hence two renames;
 * between them `<dir>` is missing, and `settle()` (run before anything else)
 * finishes what a crash interrupted: a ready copy is installed, a staging
 * copy and an old copy are removed.
 */
import { rename, rm, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { syncDirectory } from './state'

/** The temporary directories that go with a replica directory. */
export function companions (location: string): { staging: string, ready: string, old: string } {
  const base = resolve(location)
  return { staging: `${base}.replica-staging`, ready: `${base}.replica-ready`, old: `${base}.replica-old` }
}

/** Completes or undoes whatever a crash left: afterwards only `<dir>` (if any) remains. */
export async function settle (location: string): Promise<void> {
  const { staging, ready, old } = companions(location)
  await rm(staging, { recursive: true, force: true })
  if (await exists(ready)) await install(location)
  await rm(old, { recursive: true, force: true })
}

/** Marks the verified, durable staging copy as the state to install (step 2). */
export async function markReady (location: string): Promise<void> {
  const { staging, ready } = companions(location)
  await rename(staging, ready)
  await syncDirectory(dirname(ready))
}

/** Puts the ready copy in place of `<dir>` and removes the old one (step 3). */
export async function install (location: string): Promise<void> {
  const { ready, old } = companions(location)
  const target = resolve(location)
  await rm(old, { recursive: true, force: true })
  if (await exists(target)) await rename(target, old)
  await rename(ready, target)
  await syncDirectory(dirname(target))
  await rm(old, { recursive: true, force: true })
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}
