/**
 * The outcome of a call as a code: 'accepted' when it returns, else the code
 * of what it threw. Tests compare codes, never messages.
 */
export function codeOf (fn: () => unknown): string {
  try {
    fn()
    return 'accepted'
  } catch (err) {
    return String((err as { code?: unknown }).code)
  }
}

/** The outcome of an async call as a code: 'accepted' when it resolves, else the code of its rejection. */
export async function asyncCodeOf (fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn()
    return 'accepted'
  } catch (err) {
    return String((err as { code?: unknown }).code)
  }
}

/** The outcome of a promise as a code: 'resolved', else the code of its rejection. */
export async function rejectionCode (promise: Promise<unknown>): Promise<string> {
  return await promise.then(() => 'resolved', (err: { code?: unknown }) => String(err?.code))
}

/** Like {@link rejectionCode}, with the code of the rejection's cause: `[code, cause code]`. */
export async function rejectionCodes (promise: Promise<unknown>): Promise<[string, string]> {
  return await promise.then(() => ['resolved', 'none'], (err: { code?: unknown, cause?: { code?: unknown } }) => [String(err?.code), String(err?.cause?.code)])
}
