// What a tool function receives besides its inputs.
export interface ToolContext {
  /** Aborts when the run times out, is cancelled, or fails elsewhere: stop early and let go. */
  signal: AbortSignal
}
