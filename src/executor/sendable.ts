// What a sync tool may return from its pool thread: the result crosses threads by structured clone,
// which refuses functions, symbols and promises. Called only once the clone has failed, to say what was
// returned and where (structured clone's own message names neither the place nor, for a nested value,
// what it was).

/** Where and what in `value` cannot be sent to another thread, if anything (`at` is a path like .a[2]). */
export function unsendable(value: unknown, at = ''): string | undefined {
  if (typeof value === 'function') return `a function${place(at)}`
  if (typeof value === 'symbol') return `a symbol${place(at)}`
  if (value === null || typeof value !== 'object') return undefined
  if (value instanceof Promise) return `a promise${place(at)}`
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unsendable(value[i], `${at}[${i}]`)
      if (found) return found
    }
    return undefined
  }
  if (value instanceof Map || value instanceof Set) {
    for (const item of value.values()) {
      const found = unsendable(item, `${at}{}`)
      if (found) return found
    }
    return undefined
  }
  for (const [key, item] of Object.entries(value)) {
    const found = unsendable(item, `${at}.${key}`)
    if (found) return found
  }
  return undefined
}

function place(at: string): string {
  return at ? ` at ${at.replace(/^\./, '')}` : ''
}
