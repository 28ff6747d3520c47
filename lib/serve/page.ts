/**
 * The "Look inside" page: three static files (HTML, script, style sheet)
 * built into dist/web/ by `npm run build`, served under `/v1/look/`. They
 * hold no data: the page reads everything through the JSON endpoints, with
 * the token when one is required, so the files themselves are served
 * without it. The policy forbids inline scripts, and any script or
 * connection but this origin's.
 */
import { join } from 'node:path'
import { nodeFileSystem } from '../fs/node-file-system'
import type { Body } from './endpoints'
import { ReplicationError } from './protocol'

/** The path of the page, under the protocol's prefix. */
export const PAGE_PATH = '/v1/look/'

/** The Content-Security-Policy of the page's files. */
export const PAGE_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"
].join('; ')

const FILES: Readonly<Record<string, { file: string, type: string }>> = {
  '': { file: 'look.html', type: 'text/html; charset=utf-8' },
  'look.js': { file: 'look.js', type: 'text/javascript; charset=utf-8' },
  'look.css': { file: 'look.css', type: 'text/css; charset=utf-8' }
}

// Built next to the compiled library: dist/lib/serve/ -> dist/web/.
const DIRECTORY = join(__dirname, '..', '..', 'web')
const cache = new Map<string, Uint8Array>()

/** True when `pathname` names one of the page's files. */
export function isPagePath (pathname: string): boolean {
  return pathname.startsWith(PAGE_PATH) && Object.hasOwn(FILES, pathname.slice(PAGE_PATH.length))
}

/** The file at `pathname` (one for which {@link isPagePath} holds), with its headers. */
export async function pageFile (pathname: string): Promise<Body> {
  const { file, type } = FILES[pathname.slice(PAGE_PATH.length)]
  let bytes = cache.get(file)
  if (bytes === undefined) {
    try {
      bytes = await nodeFileSystem.readFile(join(DIRECTORY, file))
    } catch {
      throw new ReplicationError('REPLICATION_NOT_FOUND', `The page's file ${file} is not built: \`npm run build\` writes dist/web/`)
    }
    cache.set(file, bytes)
  }
  return {
    bytes,
    headers: {
      'content-type': type,
      'content-security-policy': PAGE_POLICY,
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY'
    }
  }
}
