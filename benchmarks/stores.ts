/**
 * The three stores under test, opened the same way: keys and values as
 * Uint8Array views (the encoding each of them stores without conversion),
 * writes not synced unless a call asks for it.
 */
import { ClassicLevel } from 'classic-level'
import { MemoryLevel } from 'memory-level'
import { MerkleLevel } from '../index'

/** A store under test. */
export type StoreName = 'merkle-level' | 'classic-level' | 'memory-level'

/** Every store, in the order of the report's columns. */
export const STORES: readonly StoreName[] = ['merkle-level', 'classic-level', 'memory-level']

/** Write options every store accepts (memory-level ignores `sync`). */
export interface WriteOptions {
  sync: boolean
}

/** Range options of the iterators the workloads use. */
export interface RangeOptions {
  gte?: Uint8Array
  limit?: number
  /** Encodings of what the iterator yields, when not the store's own ('view'). */
  keyEncoding?: 'buffer'
  valueEncoding?: 'buffer'
}

/** What the workloads need of an iterator. */
export interface BenchIterator {
  nextv: (size: number) => Promise<Array<[Uint8Array, Uint8Array]>>
  all: () => Promise<Array<[Uint8Array, Uint8Array]>>
  close: () => Promise<void>
}

/**
 * The part of the abstract-level API the workloads use, with `sync` on
 * writes: the surface the three stores share.
 */
export interface BenchDb {
  readonly supports: { getSync?: boolean }
  open: () => Promise<void>
  close: () => Promise<void>
  put: (key: Uint8Array, value: Uint8Array, options: WriteOptions) => Promise<void>
  batch: (ops: Array<{ type: 'put', key: Uint8Array, value: Uint8Array }>, options: WriteOptions) => Promise<void>
  get: (key: Uint8Array) => Promise<Uint8Array | undefined>
  getMany: (keys: Uint8Array[]) => Promise<Array<Uint8Array | undefined>>
  getSync: (key: Uint8Array) => Uint8Array | undefined
  has: (key: Uint8Array) => Promise<boolean>
  iterator: (options: RangeOptions) => BenchIterator
}

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** merkle-level only: WAL size that triggers a background checkpoint (0: never). */
  checkpointBytes?: number
}

/** An open store; `merkle` is the same database with its own methods, for merkle-level only. */
export interface OpenStore {
  name: StoreName
  db: BenchDb
  merkle: MerkleLevel<Uint8Array, Uint8Array> | null
}

/** An open merkle-level database, as a {@link BenchDb} and with its own methods. */
export interface MerkleStore {
  db: BenchDb
  merkle: MerkleLevel<Uint8Array, Uint8Array>
}

const encodings = { keyEncoding: 'view', valueEncoding: 'view' } as const

// The casts to BenchDb below: each store's typings spell the same calls as
// overloads with their own option types, which TypeScript cannot match
// against one signature; the calls the workloads make are valid on all three.

/** Opens (creating it, or reopening it after a close) merkle-level in `location`: `new MerkleLevel` plus `open()`. */
export async function openMerkle (location: string, options: StoreOptions = {}): Promise<MerkleStore> {
  const merkle = new MerkleLevel<Uint8Array, Uint8Array>(location, { ...encodings, sync: false, checkpointBytes: options.checkpointBytes })
  await merkle.open()
  return { db: merkle as unknown as BenchDb, merkle }
}

/** Opens (creating it) the store `name` in the directory `location` (ignored by memory-level). */
export async function openStore (name: StoreName, location: string, options: StoreOptions = {}): Promise<OpenStore> {
  if (name === 'merkle-level') return { name, ...await openMerkle(location, options) }
  const db = name === 'classic-level'
    ? new ClassicLevel<Uint8Array, Uint8Array>(location, encodings)
    // storeEncoding 'view' keeps the caller's views as they are, like the other two.
    : new MemoryLevel<Uint8Array, Uint8Array>({ ...encodings, storeEncoding: 'view' })
  await db.open()
  return { name, db: db as unknown as BenchDb, merkle: null }
}
