// The eslint rule `floodgate/layers`: every import, export-from and import() between folders of src/
// (type-only ones too) must follow scripts/layers.mjs: point down the data's path, and enter another
// folder through its index.ts or a contract file. `npm test` runs eslint, so an import against the grain
// fails CI.
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkImport } from './layers.mjs'

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src')

function check(context, node, source) {
  if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return
  const file = context.filename
  const from = relative(src, file)
  if (from.startsWith('..')) return
  const to = relative(src, resolve(dirname(file), source.value)).replace(/\.js$/, '.ts')
  if (to.startsWith('..')) return
  const problem = checkImport(from, to)
  if (problem) context.report({ node: source, message: problem.message })
}

export const layers = {
  meta: { type: 'problem', docs: { description: "imports between folders of src/ follow scripts/layers.mjs" }, schema: [] },
  create(context) {
    return {
      ImportDeclaration: (node) => check(context, node, node.source),
      ExportNamedDeclaration: (node) => check(context, node, node.source),
      ExportAllDeclaration: (node) => check(context, node, node.source),
      ImportExpression: (node) => check(context, node, node.source)
    }
  }
}

export default { rules: { layers } }
