/**
 * Helpers for tests that open real databases.
 */
import { MerkleLevel } from '../../index'
import type { MerkleLevelOptions } from '../../index'
import { Tree } from '../../lib/tree/tree'
import { DEFAULT_PARAMS } from '../../lib/tree/params'
import { toHex } from '../../lib/bytes'
import { readdirSync } from 'node:fs'
import { tempLocation } from './temp'

/** A database with byte keys and values. */
export type ByteDb = MerkleLevel<Uint8Array, Uint8Array>

/** Opens a database on `location` with view encodings. */
export async function openBytes (location: string, options: MerkleLevelOptions<Uint8Array, Uint8Array> = {}): Promise<ByteDb> {
  const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view', ...options })
  await db.open()
  return db
}

/** All entries as "hexkey=hexvalue" strings, in order. */
export async function dump (db: ByteDb): Promise<string[]> {
  return (await db.iterator().all()).map(([k, v]) => `${toHex(k)}=${toHex(v)}`)
}

/** The root a fresh tree holding exactly `entries` has (the content-only root). */
export function rootOf (entries: Array<[Uint8Array, Uint8Array]>): string {
  let tree = Tree.empty(DEFAULT_PARAMS)
  for (const [k, v] of entries) tree = tree.put(k, v)
  return toHex(tree.root())
}

/** The code of an error's cause, or of the error itself. */
export function causeCode (err: unknown): string | undefined {
  const e = err as { code?: string, cause?: { code?: string } }
  return e?.cause?.code ?? e?.code
}

/** A closed database at a fresh location: a snapshot holding k = v, then a log segment holding k2 = v2. */
export async function closedDatabase (prefix: string): Promise<{ location: string, segment: string, snapshot: string }> {
  const location = tempLocation(prefix)
  const db = new MerkleLevel(location)
  await db.put('k', 'v')
  await db.checkpoint()
  await db.put('k2', 'v2')
  await db.close()
  const names = readdirSync(location)
  return { location, segment: names.find(n => n.endsWith('.log')) as string, snapshot: names.find(n => n.endsWith('.mls')) as string }
}
