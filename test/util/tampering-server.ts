/**
 * A replication server on 127.0.0.1 whose answers pass through a tamper
 * function first: the hostile peer of the replica tests. The handler is the
 * real one; only what reaches the wire is changed.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createReplicationHandler } from '../../index'
import type { MerkleLevel, ReplicationHandlerOptions } from '../../index'

/** A response as the handler wrote it, which the tamper function may change. */
export interface Answer {
  status: number
  headers: OutgoingHttpHeaders
  body: Buffer
}

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
    res.end = ((body: Buffer | string) => {
      let answer: Answer = { status, headers: { ...headers }, body: Buffer.from(body ?? '') }
      if (tamper.answer !== undefined) answer = tamper.answer(url, answer)
      writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) })
      return end(answer.body)
    }) as typeof res.end
    void handler(req, res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: async () => {
      await handler.close()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
