/**
 * A server of its own for the replication handler: `node:http`, or
 * `node:https` with a certificate and key, listening where the access rule
 * allows (access.ts). `merkle-level serve` runs one.
 */
import { createServer as createHttpServer } from 'node:http'
import type { Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { MerkleLevel } from '../level/merkle-level'
import { listenRefusal } from './access'
import { createReplicationHandler } from './handler'
import type { ReplicationHandler, ReplicationHandlerOptions } from './handler'

/** Options of {@link startReplicationServer}. */
export interface ReplicationServerOptions extends ReplicationHandlerOptions {
  /** The address to listen on (default 127.0.0.1). */
  host?: string
  /** The port (default 7979; 0: any free port). */
  port?: number
  /** Serve everyone who reaches a non-loopback address, without a token. */
  insecure?: boolean
  /** HTTPS: the certificate chain and private key, PEM. */
  tls?: { cert: string | Buffer, key: string | Buffer }
}

/** A running server. */
export interface ReplicationServer {
  readonly server: Server
  readonly handler: ReplicationHandler
  /** Where it listens, e.g. `http://127.0.0.1:7979`. */
  readonly url: string
  /** Stops listening, ends open connections and lets the pinned snapshots go (the database stays open). */
  close: () => Promise<void>
}

/** The default port of `merkle-level serve`. */
export const DEFAULT_PORT = 7979

/**
 * Serves `db` (open) read-only until `close()`. Throws {@link ListenRefused}
 * rather than listen on a non-loopback address without a token, unless
 * `insecure`.
 */
export async function startReplicationServer<K, V> (db: MerkleLevel<K, V>, options: ReplicationServerOptions = {}): Promise<ReplicationServer> {
  const { host = '127.0.0.1', port = DEFAULT_PORT, insecure = false, tls, ...handlerOptions } = options
  const refusal = listenRefusal(host, { token: handlerOptions.token !== undefined, insecure })
  if (refusal !== null) throw new ListenRefused(refusal)
  const handler = createReplicationHandler(db, handlerOptions)
  const server: Server = tls === undefined ? createHttpServer(handler) : createHttpsServer({ cert: tls.cert, key: tls.key }, handler)
  // Slow or idle clients are let go: a request has no body, so its headers are all there is to wait for.
  server.headersTimeout = 10000
  server.requestTimeout = 60000
  server.keepAliveTimeout = 5000
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    await handler.close()
    throw err
  }
  const address = server.address() as AddressInfo
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `${tls === undefined ? 'http' : 'https'}://${shown}:${address.port}`
  const close = async (): Promise<void> => {
    const closed = new Promise<void>(resolve => server.close(() => resolve()))
    server.closeAllConnections()
    await closed
    await handler.close()
  }
  return { server, handler, url, close }
}

/** Listening was refused by the access rule (see access.ts). */
export class ListenRefused extends Error {
  override readonly name = 'ListenRefused'
}
