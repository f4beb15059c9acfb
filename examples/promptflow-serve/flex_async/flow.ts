// The study's flex flow: ChatFlow awaits three parallel 0.25 s nodes (Promise.all, asyncio.gather in
// the original), then GETs the mock API and returns its JSON with its own timing.
import { httpGet, sleep, type ToolContext } from 'floodgate/tools'

class Node {
  async call(signal: AbortSignal): Promise<string> {
    await sleep(250, signal)
    return 'completed'
  }
}

export class ChatFlow {
  async call({ chat_history: _history }: { question: string; chat_history: unknown[] }, { signal }: ToolContext): Promise<Record<string, unknown>> {
    const nodes = [new Node(), new Node(), new Node()]
    await Promise.all(nodes.map((node) => node.call(signal)))

    const start = performance.now()
    const url = process.env.MOCK_API_ENDPOINT
    if (!url) throw new Error('MOCK_API_ENDPOINT is not set: export the mock API URL, e.g. MOCK_API_ENDPOINT=http://127.0.0.1:50001/')
    const response = await httpGet(url, { signal })
    if (response.status !== 200) throw new Error(`Failed call to ${url}: ${response.status}`)
    const body = response.json() as Record<string, unknown>
    body.pf_node_time_sec = (performance.now() - start) / 1000
    body.type = 'pf_flex_async'
    return body
  }
}
