// The one place where errors become stderr lines and exit codes for every command (the codes themselves
// are the errors', src/errors.ts).
import { exitCodeOf, isFloodgateError, messageOf } from '../errors.js'

/** Prints an error as the user should see it: our own errors without a stack, others with one. */
export function reportError(err: unknown): number {
  if (isFloodgateError(err)) {
    process.stderr.write(`floodgate: ${err.message}\n`)
  } else {
    const text = err instanceof Error && err.stack ? err.stack : messageOf(err)
    process.stderr.write(`floodgate: unexpected error: ${text}\n`)
  }
  return exitCodeOf(err)
}
