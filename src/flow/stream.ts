// A streamed value: what a node returns, or a flow output holds, when it yields its result in chunks (an
// LLM's tokens). The one test of it, for the executor, the llm nodes, the traces and the server.
export function isStream(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
}
