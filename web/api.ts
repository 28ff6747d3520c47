/**
 * The page's reads of the endpoint: GET requests relative to the page
 * (`/v1/look/` reads `/v1/overview`), with the bearer token as a header
 * when the server requires one. The token is kept for the tab only
 * (sessionStorage), and sent to this origin only.
 */

/** A coded error answer of the endpoint, or a failure to reach it. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor (readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

const TOKEN_KEY = 'merkle-level-token'

/** The endpoint, seen from the page. */
export class Api {
  #token: string | null = sessionStorage.getItem(TOKEN_KEY)

  /** Called when the server asks for a token (401). */
  onUnauthorized: () => void = () => {}

  /** Uses `token` from now on (empty: none). */
  setToken (token: string): void {
    this.#token = token === '' ? null : token
    if (this.#token === null) sessionStorage.removeItem(TOKEN_KEY)
    else sessionStorage.setItem(TOKEN_KEY, this.#token)
  }

  /** GETs `path` (relative to the page) and parses its JSON body; throws an ApiError for an error answer. */
  async get<T> (path: string, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = {}
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`
    let res: Response
    try {
      res = await fetch(path, { headers, cache: 'no-store', credentials: 'omit', redirect: 'error', signal })
    } catch (err) {
      throw new ApiError(0, 'UNREACHABLE', `The server could not be reached (${(err as Error).message})`)
    }
    const text = await res.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new ApiError(res.status, 'NOT_JSON', `The answer to ${path} is not JSON (status ${res.status})`)
    }
    if (!res.ok) {
      const error = (body as { error?: { code?: unknown, message?: unknown } }).error
      const failure = new ApiError(res.status, String(error?.code ?? 'UNKNOWN'), String(error?.message ?? `status ${res.status}`))
      if (res.status === 401) this.onUnauthorized()
      throw failure
    }
    return body as T
  }
}
