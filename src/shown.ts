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
  return `${text.slice(0, MAX_SHOWN)}... (${whole})`
}
