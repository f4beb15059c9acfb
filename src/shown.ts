// A value as an error message shows it: its JSON, cut after 80 characters with what was cut said. A
// request's value, a data file's cell or a bench.yaml that is one long line may be megabytes; a message
// that names it needs its start, and must not send it back whole (a 400 to an HTTP client included).
const MAX_SHOWN = 80

export function shown(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value)
  if (text.length <= MAX_SHOWN) return text
  // Numbers, booleans and null are never this long: what is cut is a string, a list or a mapping.
  const whole = typeof value === 'string' ? `a string of ${value.length} characters`
    : Array.isArray(value) ? `a list of ${value.length} items`
    : `a mapping of ${Object.keys(value as object).length} keys`
  return `${head(text, MAX_SHOWN)}... (${whole})`
}

/**
 * The first `max` UTF-16 units of `text`, one fewer when the last would be the first half of a surrogate
 * pair: a cut between the halves leaves a lone surrogate, which a terminal or a UTF-8 body shows as U+FFFD.
 */
export function head(text: string, max: number): string {
  if (text.length <= max) return text
  const last = text.charCodeAt(max - 1)
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max)
}
