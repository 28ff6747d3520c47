/**
 * A replication server on 127.0.0.1 whose answers pass through a tamper
 * function first: the hostile peer of the replica tests, standing where a
 * proxy between replica and server would. The handler is the real one; only
 * what reaches the wire is changed: the bytes of an answer, and how they go
 * (late, cut short, never ending, or not at all).
 */
import { createServer } from 'node:http'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createReplicationHandler } from '../../index'
import type { MerkleLevel, ReplicationHandlerOptions } from '../../index'

/** A response as the handler wrote it, which the tamper function may change. */
export interface Answer {
  status: number
  headers: OutgoingHttpHeaders
  body: Buffer
  /** How the answer goes on the wire (default: whole, at once, with its length). */
  wire?: Wire
}

/** A way of sending an answer that a proxy could impose. */
export type Wire =
  /** The whole answer, `ms` late. */
  | { kind: 'delay', ms: number }
  /** Headers stating the whole length, the first `bytes` of the body, then the connection closed. */
  | { kind: 'cut', bytes: number }
  /** No length: the body, then `chunk` every `everyMs` until the client goes. */
  | { kind: 'endless', chunk: Buffer, everyMs: number }
  /** The connection closed without an answer. */
  | { kind: 'drop' }

/** Changes a request's URL before the handler sees it, and its answer after. */
export interface Tamper {
  request?: (url: URL) => URL
  answer?: (url: URL, answer: Answer) => Answer
}

/** A served database: its base URL, the paths requested so far, and how to stop. */
export interface TamperingServer {
  url: string
  requests: string[]
  close: () => Promise<void>
}

/** Serves `db` through `tamper` on an ephemeral port of 127.0.0.1. */
export async function tamperingServer (db: MerkleLevel<any, any>, tamper: Tamper = {}, options: ReplicationHandlerOptions = {}): Promise<TamperingServer> { // eslint-disable-line @typescript-eslint/no-explicit-any -- any database
  const handler = createReplicationHandler(db, options)
  const requests: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '')
    let url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (tamper.request !== undefined) {
      url = tamper.request(url)
      req.url = url.pathname + url.search
    }
    let status = 0
    let headers: OutgoingHttpHeaders = {}
    const writeHead = res.writeHead.bind(res)
    const end = res.end.bind(res)
    res.writeHead = ((s: number, h: OutgoingHttpHeaders) => { status = s; headers = h; return res }) as typeof res.writeHead
    const write = res.write.bind(res)
    res.end = ((body: Buffer | string) => {
      let answer: Answer = { status, headers: { ...headers }, body: Buffer.from(body ?? '') }
      if (tamper.answer !== undefined) answer = tamper.answer(url, answer)
      send(res, answer, { writeHead, write, end })
      return res
    }) as typeof res.end
    void handler(req, res)
  })
  server.on('connection', socket => sockets.add(socket))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: async () => {
      await handler.close()
      server.closeAllConnections()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

interface RawResponse {
  writeHead: ServerResponse['writeHead']
  write: ServerResponse['write']
  end: ServerResponse['end']
}

// Sends `answer` the way its wire says, with the response's own methods (before they were wrapped).
function send (res: ServerResponse, answer: Answer, raw: RawResponse): void {
  const whole = { ...answer.headers, 'content-length': String(answer.body.length) }
  const wire = answer.wire
  if (wire === undefined) {
    raw.writeHead(answer.status, whole)
    raw.end(answer.body)
  } else if (wire.kind === 'delay') {
    const timer = setTimeout(() => { raw.writeHead(answer.status, whole); raw.end(answer.body) }, wire.ms)
    res.on('close', () => clearTimeout(timer))
  } else if (wire.kind === 'cut') {
    raw.writeHead(answer.status, whole)
    raw.write(answer.body.subarray(0, wire.bytes))
    setTimeout(() => res.destroy(), 20)
  } else if (wire.kind === 'endless') {
    raw.writeHead(answer.status, Object.fromEntries(Object.entries(answer.headers).filter(([name]) => name !== 'content-length')))
    raw.write(answer.body)
    const timer = setInterval(() => raw.write(wire.chunk), wire.everyMs)
    res.on('close', () => clearInterval(timer))
  } else {
    res.destroy()
  }
}
