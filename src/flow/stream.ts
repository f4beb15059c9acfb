// A streamed value: what a node returns, or a flow output holds, when it yields its result in chunks (an
// LLM's tokens). The one test of it, for the executor, the llm nodes, the traces and the server.
export function isStream(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
}

/** Whether any of these values (a run's outputs, a template's variables) is a stream. */
export function hasStream(values: Record<string, unknown>): boolean {
  for (const key in values) if (isStream(values[key])) return true
  return false
}
