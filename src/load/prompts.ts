// The prompts of `floodgate load --openai`: a JSONL dataset (--prompts: one {"prompt": "..."} or
// {"messages": [...]} per line, optionally with "max_tokens"), or synthetic prompts of N words
// (--prompt-words), each different so a server's prefix cache cannot answer them all from one entry.
import { existsSync, readFileSync } from 'node:fs'
import { UsageError } from '../errors.js'
import { mulberry32 } from '../random.js'

export interface ChatMessage {
  role: string
  content: unknown
}

export interface ChatPrompt {
  messages: ChatMessage[]
  /** This prompt's max_tokens, overriding --max-tokens. */
  maxTokens?: number
}

/** How many different synthetic prompts are made (then cycled). */
export const SYNTHETIC_PROMPTS = 256
export const DEFAULT_PROMPT_WORDS = 32

const EXPECTED = 'expected {"prompt": "..."} or {"messages": [{"role": "user", "content": "..."}]}'

function excerpt(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function promptOf(value: unknown, where: string, line: string): ChatPrompt {
  const bad = (why: string) => new UsageError(`${where}: ${why}`, { flag: '--prompts' })
  if (!isObject(value)) throw bad(`${EXPECTED}, got ${excerpt(line)}`)
  let prompt: ChatPrompt
  if (typeof value.prompt === 'string') {
    prompt = { messages: [{ role: 'user', content: value.prompt }] }
  } else if (Array.isArray(value.messages) && value.messages.length > 0 &&
    value.messages.every((m) => isObject(m) && typeof m.role === 'string')) {
    prompt = { messages: value.messages as ChatMessage[] }
  } else {
    throw bad(`${EXPECTED}, got ${excerpt(line)}`)
  }
  const max = value.max_tokens
  if (max !== undefined) {
    if (!Number.isInteger(max) || (max as number) < 1) throw bad(`"max_tokens" must be a whole number >= 1, got ${JSON.stringify(max)}`)
    prompt.maxTokens = max as number
  }
  return prompt
}

/** Reads a JSONL prompts file; every problem is a UsageError naming the file and the line. */
export function readPrompts(file: string): ChatPrompt[] {
  if (!existsSync(file)) throw new UsageError(`--prompts ${file}: file not found`, { flag: '--prompts', file })
  const prompts: ChatPrompt[] = []
  const lines = readFileSync(file, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    const where = `--prompts ${file}: line ${i + 1}`
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (err) {
      throw new UsageError(`${where} is not JSON (${(err as Error).message}); the file must be JSONL: one JSON object per line, ${EXPECTED}`,
        { flag: '--prompts', file, line: i + 1 })
    }
    prompts.push(promptOf(value, where, line))
  }
  if (prompts.length === 0) throw new UsageError(`--prompts ${file}: no prompts (the file is empty); expected one JSON object per line, ${EXPECTED}`, { flag: '--prompts', file })
  return prompts
}

const VOCABULARY = (
  'the of and to in is was for on that with as by at from his her an which are this be or have one had not but what all were ' +
  'when there can more if out so said who will up other about many then them these some would make like into time has two ' +
  'look write go see number way could people than first water been call find long down day did get come made may part over'
).split(' ')

/** `count` different prompts of `words` words each, from a seeded generator (the same every run). */
export function syntheticPrompts(words: number, seed = 0, count = SYNTHETIC_PROMPTS): ChatPrompt[] {
  const random = mulberry32(seed)
  return Array.from({ length: count }, () => {
    const text = Array.from({ length: words }, () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]!).join(' ')
    return { messages: [{ role: 'user', content: text }] }
  })
}
