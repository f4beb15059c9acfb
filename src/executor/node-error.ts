// What a node's failure becomes, wherever it surfaces: while the node runs, or later from the stream it
// returned (the headers of a streamed answer are gone by then, so its `event: error` must say which node).
import { FloodgateError, TimeoutError, ToolError, messageOf } from '../errors.js'

/** `err` as the failure of node `node`: errors that already name it (an llm node's UpstreamError, say) keep their class and status. */
export function nodeError(node: string, err: unknown): FloodgateError {
  return err instanceof ToolError || err instanceof TimeoutError || (err instanceof FloodgateError && err.details.node === node)
    ? err
    : new ToolError(`node "${node}" failed: ${messageOf(err)}`, { node }, { cause: err })
}

/** A node's streaming output whose failure mid-stream names the node. Stopping early still closes the node's stream (yield* forwards return()). */
export async function* nodeStream(node: string, stream: AsyncIterable<unknown>): AsyncGenerator<unknown> {
  try {
    yield* stream
  } catch (err) {
    throw nodeError(node, err)
  }
}
