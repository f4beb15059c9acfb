// The shapes shared by src/flow (load, validate, compile) and src/executor (run), and read by src/serve.
// This file is a contract between folders: change it only with every reader in view.

export type InputType = 'string' | 'int' | 'double' | 'bool' | 'list' | 'object'

export interface InputDef {
  name: string
  type: InputType
  /** True when the yaml gives `default`; inputs without one are required. */
  hasDefault: boolean
  default?: unknown
  description?: string
  enum?: unknown[]
  isChatInput?: boolean
  isChatHistory?: boolean
}

export interface OutputDef {
  name: string
  /** PromptFlow's output types (string, object, list, ...), kept for the OpenAPI document. */
  type?: string
  /** The reference text as written, e.g. "${chat.output}". */
  reference: string
  description?: string
  isChatOutput?: boolean
}

export type FlowKind = 'dag' | 'flex'
