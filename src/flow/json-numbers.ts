// JSON numbers that JavaScript cannot hold as written: an integer beyond ±(2^53 - 1) is rounded by
// JSON.parse (18446744073709551616 becomes 18446744073709552000) and a number beyond ±1.8e308 becomes
// Infinity, both in silence. Request bodies and --inputs are scanned for them and refused with the literal
// named. The scan runs only on text holding a 16-digit run or a 3-digit exponent, so common bodies cost
// one regex test.
const SUSPECT = /\d{16}|[eE][+-]?\d{3}/
// A JSON string (skipped whole, so digits inside strings are not numbers) or a JSON number.
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g

export const SAFE_RANGE = '±9007199254740991 (2^53 - 1)'
export const DOUBLE_RANGE = '±1.8e308'

/** Why the first number of JSON `text` that JavaScript cannot hold as written is a problem, if any. */
export function inexactJsonNumber(text: string): string | undefined {
  if (!SUSPECT.test(text)) return undefined
  for (const [token] of text.matchAll(TOKEN)) {
    if (token.startsWith('"')) continue
    const value = Number(token)
    if (!Number.isFinite(value)) return `${token} is too large for a JSON number in JavaScript (beyond ${DOUBLE_RANGE}); it would arrive as ${value}`
    if (/^-?\d+$/.test(token) && !Number.isSafeInteger(value)) {
      return `${token} is an integer beyond ${SAFE_RANGE}, the largest a JSON number holds exactly in JavaScript; it would arrive as ${value}: send it as a string`
    }
  }
  return undefined
}
