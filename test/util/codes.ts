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
