// A sync tool (runs on a pool thread): blocks 250 ms, standing in for an LLM call (Python's time.sleep).
import { sleepSync } from 'floodgate/tools'

export default function myTool(_inputs: { chat_history: unknown[]; question: string }): string {
  sleepSync(250)
  return 'completed'
}
