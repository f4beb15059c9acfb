// The OpenAPI 3 document of a served flow, shaped like pf serve's /swagger.json so its clients and
// tooling read it unchanged: one POST /score whose request body has the flow's inputs (types, defaults,
// descriptions, enums; inputs without a default are required) and whose response has its outputs.
import type { InputDef, InputType, OutputDef } from '../flow/index.js'
import type { CompiledFlow } from '../executor/types.js'

type Schema = Record<string, unknown>

const INPUT_TYPES: Record<InputType, string> = {
  string: 'string',
  int: 'integer',
  double: 'number',
  bool: 'boolean',
  list: 'array',
  object: 'object'
}

export function buildSwagger(flow: Pick<CompiledFlow, 'name' | 'inputs' | 'outputs'>, withAuth: boolean): Schema {
  const info: Schema = { title: `Promptflow[${flow.name}] API`, version: '1.0.0', 'x-flow-name': flow.name }
  const properties: Record<string, Schema> = {}
  const required: string[] = []
  for (const input of flow.inputs) {
    properties[input.name] = inputSchema(input)
    if (!input.hasDefault) required.push(input.name)
    if (input.isChatInput) info['x-chat-input'] = input.name
    if (input.isChatHistory) info['x-chat-history'] = input.name
  }
  const outputs: Record<string, Schema> = {}
  for (const output of flow.outputs) {
    outputs[output.name] = outputSchema(output)
    if (output.isChatOutput) info['x-chat-output'] = output.name
  }
  const requestSchema: Schema = { type: 'object', properties }
  if (required.length > 0) requestSchema.required = required
  const errorResponse = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
  const doc: Schema = {
    openapi: '3.0.0',
    info,
    paths: {
      '/score': {
        post: {
          summary: `run promptflow: ${flow.name} with an given input`,
          requestBody: {
            description: 'promptflow input data',
            required: flow.inputs.length > 0,
            content: { 'application/json': { schema: requestSchema } }
          },
          responses: {
            '200': {
              description: 'successful operation',
              content: {
                'application/json': { schema: { type: 'object', properties: outputs } },
                'text/event-stream': { schema: { type: 'string' } }
              }
            },
            '400': { description: 'Invalid input', ...errorResponse },
            '503': { description: 'Server at capacity; retry after the Retry-After header', ...errorResponse },
            '504': { description: 'The run took longer than the server timeout', ...errorResponse },
            default: { description: 'unexpected error', ...errorResponse }
          }
        }
      }
    },
    components: {
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: { code: { type: 'string' }, message: { type: 'string' }, inner_error: { type: 'object' } },
              required: ['code', 'message']
            }
          }
        }
      }
    }
  }
  if (withAuth) {
    ;(doc.components as Schema).securitySchemes = { bearerAuth: { type: 'http', scheme: 'bearer' } }
    doc.security = [{ bearerAuth: [] }]
  }
  return doc
}

function inputSchema(input: InputDef): Schema {
  const schema: Schema = { type: INPUT_TYPES[input.type] }
  if (input.type === 'list') schema.items = {}
  if (input.hasDefault) schema.default = input.default
  if (input.description) schema.description = input.description
  if (input.enum) schema.enum = input.enum
  return schema
}

function outputSchema(output: OutputDef): Schema {
  // PromptFlow output types use the input type names; others (e.g. image) have no OpenAPI equivalent.
  const type = output.type !== undefined && Object.hasOwn(INPUT_TYPES, output.type) ? INPUT_TYPES[output.type as InputType] : undefined
  const schema: Schema = {}
  if (type) schema.type = type
  if (output.description) schema.description = output.description
  return schema
}
