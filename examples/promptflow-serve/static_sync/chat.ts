// A sync tool: a blocking GET of the mock API (Python's requests.get), holding its pool thread meanwhile.
import { httpGetSync, prepareHttpGetSync } from 'floodgate/tools'

// Start this pool thread's HTTP helper when the thread loads the tool, not on the first request.
await prepareHttpGetSync()

export default function myTool(_inputs: { node1: string; node2: string; node3: string }): Record<string, unknown> {
  const start = performance.now()
  const url = process.env.MOCK_API_ENDPOINT
  if (!url) throw new Error('MOCK_API_ENDPOINT is not set: export the mock API URL, e.g. MOCK_API_ENDPOINT=http://127.0.0.1:50001/')
  const response = httpGetSync(url)
  if (response.status !== 200) throw new Error(`Failed call to ${url}: ${response.status}`)
  const body = response.json() as Record<string, unknown>
  body.pf_node_time_sec = (performance.now() - start) / 1000
  body.type = 'pf_dag_sync'
  return body
}
