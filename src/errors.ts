// Every error Floodgate raises on purpose is one of these classes. Each carries what the user needs to
// fix the problem (file, field, node, input, flag) and maps to one exit code (exitCodeOf, below) and one
// HTTP status (src/serve/errors.ts). docs/errors.md lists every code.
//
// PromptFlow's error envelope distinguishes UserError (the caller can fix it) from SystemError (the
// flow or the platform failed); `category` carries that distinction.

export type ErrorCategory = 'UserError' | 'SystemError'

export interface ErrorDetails {
  file?: string
  field?: string
  node?: string
  input?: string
  flag?: string
  [key: string]: unknown
}

export class FloodgateError extends Error {
  /** Stable machine-readable code, e.g. FLOW_INVALID. */
  readonly code: string = 'FLOODGATE_ERROR'
  readonly category: ErrorCategory = 'SystemError'
  readonly httpStatus: number = 500
  readonly exitCode: number = 1
  readonly details: ErrorDetails

  constructor(message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.details = details
  }
}

/** Bad command-line usage: unknown flag value, bad syntax. Exit 2, as commander does. */
export class UsageError extends FloodgateError {
  override readonly code = 'USAGE'
  override readonly category = 'UserError'
  override readonly httpStatus = 400
  override readonly exitCode = 2
}

/** A flow folder that cannot be loaded: bad yaml, bad field, missing tool file, cycle. */
export class FlowDefinitionError extends FloodgateError {
  override readonly code = 'FLOW_INVALID'
  override readonly category = 'UserError'
}

/** A value passed to a flow run that does not match the flow's declared inputs. */
export class InputError extends FloodgateError {
  override readonly code = 'INPUT_INVALID'
  override readonly category = 'UserError'
  override readonly httpStatus = 400
}

/** A tool threw, or returned something unusable. The message names the node. */
export class ToolError extends FloodgateError {
  override readonly code = 'TOOL_FAILED'
  override readonly category = 'UserError'
  override readonly httpStatus = 500
}

/** A node or a whole run took longer than its timeout and was aborted. */
export class TimeoutError extends FloodgateError {
  override readonly code = 'TIMEOUT'
  override readonly category = 'SystemError'
  override readonly httpStatus = 504
}

/** A run aborted from outside (client disconnected, server shutting down). */
export class AbortedError extends FloodgateError {
  override readonly code = 'ABORTED'
  override readonly category = 'SystemError'
  override readonly httpStatus = 499
}

/** The server is at its admission limit (in flight + queue); the client should retry later. */
export class OverloadError extends FloodgateError {
  override readonly code = 'OVERLOADED'
  override readonly category = 'SystemError'
  override readonly httpStatus = 503
}

/** The server is shutting down (draining): the client should retry, on another instance. */
export class ShuttingDownError extends FloodgateError {
  override readonly code = 'SHUTTING_DOWN'
  override readonly category = 'SystemError'
  override readonly httpStatus = 503
}

/** An HTTP request to the server that the API rejects (bad body, bad Accept, unknown route...). */
export class HttpRequestError extends FloodgateError {
  override readonly code: string = 'BAD_REQUEST'
  override readonly category = 'UserError'
  override readonly httpStatus: number

  constructor(status: number, message: string, details: ErrorDetails = {}) {
    super(message, details)
    this.httpStatus = status
  }
}

/** A bench.yaml or load scenario that cannot be used. */
export class ConfigError extends FloodgateError {
  override readonly code = 'CONFIG_INVALID'
  override readonly category = 'UserError'
  override readonly exitCode = 2
}

/** A downstream call (LLM, mock, HTTP tool) failed: unreachable, bad status, bad reply. */
export class UpstreamError extends FloodgateError {
  override readonly code = 'UPSTREAM_FAILED'
  override readonly category = 'SystemError'
  override readonly httpStatus = 502
}

/** A template (Jinja2/nunjucks) that fails to parse or render. */
export class TemplateError extends FloodgateError {
  override readonly code = 'TEMPLATE_INVALID'
  override readonly category = 'UserError'
}

/** A port in use, a process that did not start, a child that died: the environment failed us. */
export class StartupError extends FloodgateError {
  override readonly code = 'STARTUP_FAILED'
  override readonly category = 'SystemError'
}

/** Thresholds given to `floodgate load --threshold` were not met. Exit 99, as k6 does. */
export class ThresholdError extends FloodgateError {
  override readonly code = 'THRESHOLD_FAILED'
  override readonly category = 'UserError'
  override readonly exitCode = 99
}

export function isFloodgateError(err: unknown): err is FloodgateError {
  return err instanceof FloodgateError
}

/** The exit code of a command that failed with `err`: the error's own, 1 for anything else. */
export function exitCodeOf(err: unknown): number {
  if (isFloodgateError(err)) return err.exitCode
  return 1
}

/** Best-effort message of any thrown value, for logs and envelopes. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
