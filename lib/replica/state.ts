/**
 * The replica's record of where it stands: the file `REPLICA.json` inside
 * the replica's directory, beside the database's own files (which it does
 * not touch), so that a swap of directories moves the data and the record
 * together. It holds the verified root and the server's `seq` of that state.
 * While a feed batch is applied it also names the state the batch leads to
 * (`pending`): a crash after the batch but before the record is rewritten
 * then leaves a database whose root is one of the two, and the record says
 * which seq goes with it.
 *
 * The file is replaced atomically: written to a temporary name, fsynced,
 * renamed over, and the directory fsynced.
 */
import { join } from 'node:path'
import { isErrno } from '../fs/file-system'
import { nodeFileSystem as fs } from '../fs/node-file-system'
import { replicaError } from './errors'

/** A verified state: its root (hex) and the server's sequence number for it. */
export interface ReplicaPosition {
  root: string
  seq: number
}

/** The record: the state the data is at, and the one it may be moving to. */
export interface ReplicaRecord extends ReplicaPosition {
  pending?: ReplicaPosition
}

/** The record's file name inside the replica's directory. */
export const RECORD_FILE = 'REPLICA.json'

/** The record in `directory`, or null when there is none. */
export async function readRecord (directory: string): Promise<ReplicaRecord | null> {
  let text: string
  try {
    text = new TextDecoder().decode(await fs.readFile(join(directory, RECORD_FILE)))
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null
    throw err
  }
  let record: unknown
  try { record = JSON.parse(text) } catch {}
  if (!isRecord(record)) throw replicaError('REPLICA_BAD_STATE', `${join(directory, RECORD_FILE)} is not a replica record`)
  return record
}

/** Replaces the record in `directory`, durably. */
export async function writeRecord (directory: string, record: ReplicaRecord): Promise<void> {
  const path = join(directory, RECORD_FILE)
  const temporary = `${path}.tmp`
  await removeTemporaryRecord(directory)
  const file = await fs.open(temporary, 'create')
  try {
    await file.write(new TextEncoder().encode(JSON.stringify(record) + '\n'), 0)
    await file.sync()
  } finally {
    await file.close()
  }
  await fs.rename(temporary, path)
  await syncDirectory(directory)
}

/** Removes a leftover temporary record (a crash during writeRecord). */
export async function removeTemporaryRecord (directory: string): Promise<void> {
  await fs.unlink(join(directory, `${RECORD_FILE}.tmp`)).catch((err: unknown) => {
    if (!isErrno(err, 'ENOENT')) throw err
  })
}

/** Fsyncs a directory, so that a rename in it survives a crash. */
export async function syncDirectory (directory: string): Promise<void> {
  await fs.syncDirectory(directory)
}

function isPosition (value: unknown): value is ReplicaPosition {
  const v = value as ReplicaPosition | null
  return typeof v === 'object' && v !== null && typeof v.root === 'string' && /^[0-9a-f]{64}$/.test(v.root) &&
    Number.isSafeInteger(v.seq) && v.seq >= 0
}

function isRecord (value: unknown): value is ReplicaRecord {
  return isPosition(value) && ((value as ReplicaRecord).pending === undefined || isPosition((value as ReplicaRecord).pending))
}
