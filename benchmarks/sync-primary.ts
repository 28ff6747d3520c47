/**
 * The primary of the replication benchmark (sync.ts), in a process of its
 * own: loads N entries of the large-run data (16-byte keys, 100-byte
 * values), checkpoints, and serves on 127.0.0.1 both the replication
 * protocol and, under /files/, the database's own files as they are (a
 * plain file server: the baseline a copy is compared with). It counts the
 * requests and response bytes of each, and takes commands from its parent
 * over IPC: write k changes, checkpoint, report and reset the counters.
 *
 *     node dist/benchmarks/sync-primary.js <dir> <entries>   (started by sync.ts)
 */
import { createReadStream, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { MerkleLevel, createReplicationHandler } from '../index'
import { toHex } from '../lib/bytes'
import { batchOps, keyAt } from './large/data'

/** A command from the parent. */
export type PrimaryCommand =
  | { cmd: 'change', k: number }
  | { cmd: 'checkpoint' }
  | { cmd: 'counters' }
  | { cmd: 'exit' }

/** What a served kind of request cost: requests and response body bytes. */
export interface Traffic { requests: number, bytes: number }

/** The primary's messages to the parent. */
export type PrimaryMessage =
  | { kind: 'ready', url: string, files: Array<{ name: string, size: number }>, root: string }
  | { kind: 'done', root: string }
  | { kind: 'counters', replication: Traffic, files: Traffic }

const [dir, entriesText] = process.argv.slice(2)
const entries = Number(entriesText)
const location = join(dir, 'primary')

let changed = 0
let pick = 0x2545f491

// The next index of a deterministic xorshift sequence, below `n`.
function random (n: number): number {
  pick ^= pick << 13
  pick ^= pick >>> 17
  pick ^= pick << 5
  return (pick >>> 0) % n
}

// k batches of one operation each: in turn an update of a loaded key, a new key, a delete of a loaded key.
async function change (db: MerkleLevel<Uint8Array, Uint8Array>, k: number): Promise<void> {
  for (let i = 0; i < k; i++) {
    const fresh = batchOps(entries + changed, entries + changed + 1)[0]
    changed++
    const kind = i % 3
    if (kind === 0) await db.put(keyAt(random(entries)), fresh.value)
    else if (kind === 1) await db.put(fresh.key, fresh.value)
    else await db.del(keyAt(random(entries)))
  }
}

async function main (): Promise<void> {
  const db = new MerkleLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  for (let from = 0; from < entries; from += 1000) await db.batch(batchOps(from, Math.min(entries, from + 1000)), { sync: false })
  await db.checkpoint()
  const files = readdirSync(location).filter(name => statSync(join(location, name)).isFile()).map(name => ({ name, size: statSync(join(location, name)).size }))
  let replication = createReplicationHandler(db)
  const counters = { replication: { requests: 0, bytes: 0 }, files: { requests: 0, bytes: 0 } }
  const server = createServer((req, res) => {
    const url = req.url ?? '/'
    const counter = url.startsWith('/files/') ? counters.files : counters.replication
    counter.requests++
    // Body bytes as written: the handler gives its headers to writeHead, where getHeader cannot see them.
    const write = res.write.bind(res)
    const end = res.end.bind(res)
    const count = (chunk: unknown): void => { if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') counter.bytes += Buffer.byteLength(chunk as string | Uint8Array) }
    res.write = ((chunk: unknown, ...rest: unknown[]) => { count(chunk); return (write as (...args: unknown[]) => boolean)(chunk, ...rest) }) as typeof res.write
    res.end = ((chunk?: unknown, ...rest: unknown[]) => { count(chunk); return (end as (...args: unknown[]) => unknown)(chunk, ...rest) }) as typeof res.end
    if (counter === counters.replication) return replication(req, res)
    const file = files.find(f => `/files/${f.name}` === url)
    if (file === undefined) {
      res.writeHead(404, { 'content-length': '0' }).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.size) })
    createReadStream(join(location, file.name)).pipe(res)
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const send = (message: PrimaryMessage): void => { process.send?.(message) }
  const root = async (): Promise<string> => toHex(await db.root())
  send({ kind: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, files, root: await root() })
  process.on('message', (command: PrimaryCommand) => {
    void (async () => {
      if (command.cmd === 'change') {
        await change(db, command.k)
        send({ kind: 'done', root: await root() })
      } else if (command.cmd === 'checkpoint') {
        await db.checkpoint()
        // A new handler, as after a restart: the tail it keeps for followers (lib/serve/feed-tail.ts)
        // would otherwise still hold the positions the trimmed log no longer has.
        await replication.close()
        replication = createReplicationHandler(db)
        send({ kind: 'done', root: await root() })
      } else if (command.cmd === 'counters') {
        send({ kind: 'counters', replication: { ...counters.replication }, files: { ...counters.files } })
        for (const counter of [counters.replication, counters.files]) Object.assign(counter, { requests: 0, bytes: 0 })
      } else {
        await replication.close()
        server.closeAllConnections()
        server.close()
        await db.close()
        process.exit(0)
      }
    })()
  })
}

main().catch(err => {
  console.error(err)
  process.exit(1)
})
