/**
 * A minimal HTTP(S) client for tests of the replication endpoint: one
 * request, the whole response as text, nothing followed or retried.
 */
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { IncomingHttpHeaders } from 'node:http'

/** A response: status, headers, body text, and the body parsed as JSON (undefined if it is not). */
export interface HttpResult {
  status: number
  headers: IncomingHttpHeaders
  text: string
  /** The body as bytes. */
  bytes: Buffer
  json: any // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are compared whole or field by field
}

/** Options of {@link httpGet}. */
export interface GetOptions {
  method?: string
  headers?: Record<string, string>
  /** A body to send (tests of refused requests). */
  body?: string
  /** HTTPS: the certificate to trust. */
  ca?: string | Buffer
}

/** Requests `url` (GET unless told otherwise). */
export async function httpGet (url: string, options: GetOptions = {}): Promise<HttpResult> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest
  return await new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, ca: options.ca, agent: false }, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const bytes = Buffer.concat(chunks)
        const text = bytes.toString('utf8')
        let json: unknown
        try { json = JSON.parse(text) } catch { json = undefined }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, bytes, json })
      })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}
