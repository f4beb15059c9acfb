// An async tool (runs on the event loop): waits 250 ms, standing in for an LLM call (asyncio.sleep).
import { sleep, type ToolContext } from 'floodgate/tools'

export default async function myTool(_inputs: { chat_history: unknown[]; question: string }, { signal }: ToolContext): Promise<string> {
  await sleep(250, signal)
  return 'completed'
}
