// A run's outputs as plain values: a streaming output (an async iterable, from an llm node with
// stream: true) read to its end, its chunks joined when they are text.
import { isStream } from '../flow/stream.js'

export async function readOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(outputs)) {
    if (isStream(value)) {
      const chunks: unknown[] = []
      for await (const chunk of value) chunks.push(chunk)
      out[name] = chunks.every((c) => typeof c === 'string') ? chunks.join('') : chunks
    } else {
      out[name] = value
    }
  }
  return out
}
