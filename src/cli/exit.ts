// The one place where errors become exit codes and stderr lines for every command.
import { isFloodgateError, messageOf } from '../errors.js'

export function exitCodeOf(err: unknown): number {
  if (isFloodgateError(err)) return err.exitCode
  return 1
}

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
