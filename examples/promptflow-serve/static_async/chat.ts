// An async tool: GETs the mock API without blocking the event loop (aiohttp in the original).
import { httpGet, type ToolContext } from 'floodgate/tools'

export default async function myTool(_inputs: { node1: string; node2: string; node3: string }, { signal }: ToolContext): Promise<Record<string, unknown>> {
  const start = performance.now()
  const url = process.env.MOCK_API_ENDPOINT
  if (!url) throw new Error('MOCK_API_ENDPOINT is not set: export the mock API URL, e.g. MOCK_API_ENDPOINT=http://127.0.0.1:50001/')
  const response = await httpGet(url, { signal })
  if (response.status !== 200) throw new Error(`Failed call to ${url}: ${response.status}`)
  const body = response.json() as Record<string, unknown>
  body.pf_node_time_sec = (performance.now() - start) / 1000
  body.type = 'pf_dag_async'
  return body
}
