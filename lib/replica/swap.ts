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
import { dirname, join, resolve } from 'node:path'
import { nodeFileSystem as fs } from '../fs/node-file-system'
import { syncDirectory } from './state'

/** The temporary directories that go with a replica directory. */
export function companions (location: string): { staging: string, ready: string, old: string } {
  const base = resolve(location)
  return { staging: `${base}.replica-staging`, ready: `${base}.replica-ready`, old: `${base}.replica-old` }
}

/** Completes or undoes whatever a crash left: afterwards only `<dir>` (if any) remains. */
export async function settle (location: string): Promise<void> {
  const { staging, ready, old } = companions(location)
  await removeTree(staging)
  if (await exists(ready)) await install(location)
  await removeTree(old)
}

/** Marks the verified, durable staging copy as the state to install (step 2). */
export async function markReady (location: string): Promise<void> {
  const { staging, ready } = companions(location)
  await fs.rename(staging, ready)
  await syncDirectory(dirname(ready))
}

/** Puts the ready copy in place of `<dir>` and removes the old one (step 3). */
export async function install (location: string): Promise<void> {
  const { ready, old } = companions(location)
  const target = resolve(location)
  await removeTree(old)
  if (await exists(target)) await fs.rename(target, old)
  await fs.rename(ready, target)
  await syncDirectory(dirname(target))
  await removeTree(old)
}

async function exists (path: string): Promise<boolean> {
  return (await fs.lstat(path)) !== null
}

/** Removes `path` and everything under it, if it is there; a symbolic link is removed, never followed. */
export async function removeTree (path: string): Promise<void> {
  const stat = await fs.lstat(path)
  if (stat === null) return
  if (!stat.isDirectory) return await fs.unlink(path)
  for (const name of await fs.readdir(path)) await removeTree(join(path, name))
  await fs.rmdir(path)
}
