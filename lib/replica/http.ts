/**
 * One bounded GET: the whole body as bytes, or a coded error. Nothing is
 * followed or retried; the token goes only with the URL given, and a
 * redirect is an error, so it never reaches another origin. The body is
 * capped while it streams (a Content-Length over the cap is refused before
 * reading), and the whole exchange must end within the time allowed.
 */
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { replicaError } from './errors'

/** How one request is made. */
export interface GetOptions {
  token?: string
  /** The largest body accepted. */
  maxBytes: number
  /** The longest the whole exchange may take. */
  timeoutMs: number
  signal?: AbortSignal
}

/** A response: status, headers and the complete body. */
export interface GetResult {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

/** GETs `url` (http: or https:) and resolves with the complete response. */
export async function boundedGet (url: URL, options: GetOptions): Promise<GetResult> {
  if (options.signal?.aborted === true) throw replicaError('REPLICA_ABORTED', 'Replication was aborted')
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  const headers: Record<string, string> = { accept: 'application/json, application/octet-stream' }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  return await new Promise<GetResult>((resolve, reject) => {
    let settled = false
    const finish = (err: Error | null, result?: GetResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      if (err !== null) {
        req.destroy()
        reject(err)
      } else resolve(result as GetResult)
    }
    const onAbort = (): void => finish(replicaError('REPLICA_ABORTED', 'Replication was aborted'))
    const timer = setTimeout(() => finish(replicaError('REPLICA_TIMEOUT', `No complete response from ${url.origin} within ${options.timeoutMs} ms`)), options.timeoutMs)
    options.signal?.addEventListener('abort', onAbort)
    const req = request(url, { method: 'GET', headers, agent: false }, res => readBody(res, url, options.maxBytes, finish))
    req.on('error', err => finish(replicaError('REPLICA_CONNECTION', `Cannot reach ${url.origin}: ${err.message}`, { cause: err })))
    req.end()
  })
}

function readBody (res: IncomingMessage, url: URL, maxBytes: number, finish: (err: Error | null, result?: GetResult) => void): void {
  const status = res.statusCode ?? 0
  if (status >= 300 && status < 400) {
    finish(replicaError('REPLICA_REDIRECT', `${url.origin} answered ${status} (a redirect): not followed`, { status }))
    return
  }
  const declared = res.headers['content-length']
  if (declared !== undefined && Number(declared) > maxBytes) {
    finish(replicaError('REPLICA_RESPONSE_TOO_LARGE', `A response of ${declared} bytes exceeds the limit of ${maxBytes}`, { status }))
    return
  }
  const chunks: Buffer[] = []
  let length = 0
  res.on('data', (chunk: Buffer) => {
    length += chunk.length
    if (length > maxBytes) finish(replicaError('REPLICA_RESPONSE_TOO_LARGE', `A response exceeds the limit of ${maxBytes} bytes`, { status }))
    else chunks.push(chunk)
  })
  res.on('error', err => finish(replicaError('REPLICA_BAD_RESPONSE', `The response from ${url.origin} was cut off`, { cause: err, status })))
  res.on('end', () => {
    const body = Buffer.concat(chunks)
    if (declared !== undefined && body.length !== Number(declared)) {
      finish(replicaError('REPLICA_BAD_RESPONSE', `The response from ${url.origin} was cut off (${body.length} of ${declared} bytes)`, { status }))
    } else finish(null, { status, headers: res.headers, body })
  })
  // A connection closed before 'end' is a truncated body.
  res.on('close', () => { if (!res.complete) finish(replicaError('REPLICA_BAD_RESPONSE', `The response from ${url.origin} was cut off`, { status })) })
}
