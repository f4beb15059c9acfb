// The variables a template reads from its context, found once at load from nunjucks' syntax tree (as
// Jinja2's meta.find_undeclared_variables does): names bound inside the template (for, set, macro
// arguments, imports) and builtins are left out. A name tested with `is defined` or passed through the
// `default` filter anywhere is optional (such a test usually guards its other uses); every other one is
// required, so a missing one is named at load.

export interface TemplateVariables {
  required: string[]
  optional: string[]
}

interface AstNode {
  typename: string
  fields: string[]
  children?: AstNode[]
  value?: unknown
  [field: string]: unknown
}

const BUILTINS = new Set(['range', 'cycler', 'joiner', 'loop', 'caller', 'super', 'True', 'False', 'None'])
const OPTIONAL_TESTS = new Set(['defined', 'undefined'])
const DEFAULT_FILTERS = new Set(['default', 'd'])

function isNode(value: unknown): value is AstNode {
  return value !== null && typeof value === 'object' && typeof (value as AstNode).typename === 'string'
}

/** Names a binding target declares: a Symbol, or an Array of them (`for k, v in ...`). */
function targetNames(target: unknown): string[] {
  if (!isNode(target)) return []
  if (target.typename === 'Symbol') return [String(target.value)]
  return (target.children ?? []).flatMap(targetNames)
}

class Collector {
  readonly required = new Set<string>()
  readonly optional = new Set<string>()

  walk(node: unknown, scope: Set<string>, optional = false): void {
    if (Array.isArray(node)) {
      for (const child of node) this.walk(child, scope, optional)
      return
    }
    if (!isNode(node)) return
    switch (node.typename) {
      case 'Symbol': {
        const name = String(node.value)
        if (!scope.has(name) && !BUILTINS.has(name)) (optional ? this.optional : this.required).add(name)
        return
      }
      case 'For':
      case 'AsyncEach':
      case 'AsyncAll': {
        this.walk(node.arr, scope)
        this.walk(node.body, new Set([...scope, ...targetNames(node.name)]))
        this.walk(node.else_, scope)
        return
      }
      case 'Set':
        this.walk(node.value, scope)
        this.walk(node.body, scope)
        for (const target of (node.targets as unknown[]) ?? []) for (const name of targetNames(target)) scope.add(name)
        return
      case 'Macro':
      case 'Caller': {
        for (const name of targetNames(node.name)) scope.add(name)
        const inner = new Set(scope)
        for (const arg of (node.args as AstNode | null)?.children ?? []) {
          const targets = arg.typename === 'KeywordArgs' ? (arg.children ?? []).map((pair) => pair.key) : [arg]
          for (const target of targets) for (const name of targetNames(target)) inner.add(name)
        }
        this.walk(node.args, inner)
        this.walk(node.body, inner)
        return
      }
      case 'Import':
        for (const name of targetNames(node.target)) scope.add(name)
        return
      case 'FromImport':
        for (const name of (node.names as AstNode | null)?.children ?? []) {
          const bound = name.typename === 'Pair' ? name.value : name
          for (const n of targetNames(bound)) scope.add(n)
        }
        return
      case 'Filter':
      case 'FilterAsync': {
        // The filter's name is not a variable; `x | default(...)` makes x optional.
        const args = (node.args as AstNode | null)?.children ?? []
        const makesOptional = DEFAULT_FILTERS.has(targetNames(node.name)[0] ?? '')
        args.forEach((arg, i) => this.walk(arg, scope, optional || (i === 0 && makesOptional)))
        return
      }
      case 'Is': {
        const test = targetNames(node.right)[0] ?? ''
        this.walk(node.left, scope, optional || OPTIONAL_TESTS.has(test))
        return
      }
      case 'Pair':
      case 'KeywordArgs':
        // Dict keys and keyword names are written like symbols but are strings.
        if (node.typename === 'Pair') return this.walk(node.value, scope, optional)
        for (const pair of node.children ?? []) this.walk(pair.value, scope, optional)
        return
      case 'LookupVal':
        this.walk(node.target, scope, optional)
        this.walk(node.val, scope)
        return
      default:
        // A NodeList's one field is its `children`.
        for (const field of node.fields) this.walk(node[field], scope, optional)
    }
  }
}

/** The context variables `ast` (a parsed template) reads. */
export function templateVariables(ast: unknown): TemplateVariables {
  const collector = new Collector()
  collector.walk(ast, new Set())
  // A guarded name (`{% if x is defined %}{{ x }}{% endif %}`) is optional wherever else it is used.
  const required = [...collector.required].filter((name) => !collector.optional.has(name))
  const optional = [...collector.optional]
  return { required, optional }
}
