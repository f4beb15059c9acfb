// Prints the folder-level import graph of src/: one line per arrow between folders, with how many import
// statements make it, each checked against the layers of scripts/layers.mjs (the rule eslint runs).
//   node scripts/import-graph.mjs                 the graph between folders of src/ (exit 1 if one is refused)
//   node scripts/import-graph.mjs --closure FILE  the src/ files FILE loads when it starts, statically
//                                                 (e.g. a worker thread's entry: what each thread holds)
// Type-only imports count: they are dependencies too, even if the compiler erases them.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { checkImport, unitOf } from './layers.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src')

function sourceFiles(dir, out = []) {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) sourceFiles(path, out)
    else if (path.endsWith('.ts')) out.push(path)
  }
  return out
}

/** The src/ files `file` imports, by their specifiers (static, dynamic and type-only imports, re-exports). */
export function importsOf(file) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  const out = []
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue
    const target = resolve(dirname(file), fileName)
    out.push({ specifier: fileName, target: file.endsWith('.ts') ? target.replace(/\.js$/, '.ts') : target })
  }
  return out
}

/**
 * The files loaded when `file` starts: static imports only (dynamic ones load later, if ever). Give it a
 * compiled file (dist/...js): there the compiler has already dropped the imports that carry only types.
 */
function closure(file) {
  const seen = new Set()
  const visit = (path) => {
    if (seen.has(path)) return
    seen.add(path)
    const text = readFileSync(path, 'utf8')
    for (const { target, specifier } of importsOf(path)) {
      // `import('...')` loads nothing at start.
      const escaped = specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      if (!new RegExp(`import\\(\\s*['"]${escaped}['"]`).test(text)) visit(target)
    }
  }
  visit(resolve(file))
  return [...seen].map((p) => relative(root, p)).sort()
}

/** Every folder arrow of src/ with its import count, and every import scripts/layers.mjs refuses. */
export function analyse() {
  const arrows = new Map()
  const problems = []
  for (const file of sourceFiles(src)) {
    for (const { specifier, target } of importsOf(file)) {
      const from = unitOf(relative(src, file))
      const to = unitOf(relative(src, target))
      if (from === to) continue
      const key = `${from} -> ${to}`
      const arrow = arrows.get(key) ?? { count: 0, problems: new Set() }
      arrow.count++
      const problem = checkImport(relative(src, file), relative(src, target))
      if (problem) {
        arrow.problems.add(problem.kind)
        problems.push(`${relative(root, file)}: ${specifier}: ${problem.message}`)
      }
      arrows.set(key, arrow)
    }
  }
  return { arrows, problems }
}

function graph() {
  const { arrows, problems } = analyse()
  const lines = [...arrows].sort(([a], [b]) => a.localeCompare(b)).map(([key, { count, problems: kinds }]) =>
    `${key.padEnd(28)} ${String(count).padStart(3)}${kinds.size ? `   ${[...kinds].sort().join(', ')}` : ''}`)
  const against = [...arrows.values()].filter((a) => a.problems.has('against the layers')).length
  const internals = problems.filter((p) => p.includes('public face')).length
  const text = [
    `folder imports in src/ (arrow, import statements; marked where scripts/layers.mjs refuses them)`,
    ...lines,
    '',
    `${arrows.size} arrows, ${against} against the layers; ${internals} imports into another folder's internals`
  ].join('\n')
  return { text, problems }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  if (args[0] === '--closure') {
    const files = closure(args[1])
    process.stdout.write(`${files.length} files\n${files.join('\n')}\n`)
  } else {
    const { text, problems } = graph()
    process.stdout.write(`${text}\n`)
    if (problems.length) {
      process.stdout.write(`\n${problems.join('\n')}\n`)
      process.exitCode = 1
    }
  }
}
