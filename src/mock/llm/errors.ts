// OpenAI's error envelope: {"error": {"message", "type", "param", "code"}}, as its API and the `openai`
// client expect it (the client reads error.message, error.type, error.code and the status).
import type { FastifyReply } from 'fastify'

export interface OpenAiError {
  status: number
  message: string
  type: string
  param: string | null
  code: string | null
}

export function invalidRequest(message: string, param: string | null = null, code: string | null = null): OpenAiError {
  return { status: 400, message, type: 'invalid_request_error', param, code }
}

/** The body of an injected error (--error-rate): a rate limit for 429, a server error otherwise. */
export function injectedError(status: number): OpenAiError {
  if (status === 429) {
    return { status, message: 'Rate limit reached for requests (injected by floodgate mock --error-rate).', type: 'requests', param: null, code: 'rate_limit_exceeded' }
  }
  const type = status >= 500 ? 'server_error' : 'invalid_request_error'
  return { status, message: `The server had an error while processing your request (injected by floodgate mock --error-rate, status ${status}).`, type, param: null, code: null }
}

export function sendOpenAiError(reply: FastifyReply, err: OpenAiError): void {
  const { status, ...error } = err
  reply.code(status).type('application/json').send(JSON.stringify({ error }))
}
