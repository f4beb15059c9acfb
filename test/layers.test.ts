// The layering of src/ (scripts/layers.mjs): imports point down the data's path and enter another folder
// through its index.ts or a named contract. eslint's floodgate/layers rule reports each bad import in the
// editor and in `npm run lint`; this test holds the whole tree to it inside `npm test` as well.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ESLint } from 'eslint'
import { analyse } from '../scripts/import-graph.mjs'
import { checkImport } from '../scripts/layers.mjs'
import { repoRoot } from './helpers/cli.js'

test('every import between folders of src/ follows scripts/layers.mjs', () => {
  const { arrows, problems } = analyse()
  assert.deepEqual(problems, [])
  // The arrows issue 16 removed stay removed.
  for (const gone of ['flow -> executor', 'flow -> llm', 'index -> cli', 'serve -> cli', 'executor -> serve']) assert.equal(arrows.has(gone), false, gone)
})

test('an import up the data\'s path, into internals, or from an unknown folder is refused, with why', () => {
  assert.equal(checkImport('executor/run.ts', 'flow/plan.ts'), null, 'a contract')
  assert.equal(checkImport('serve/app.ts', 'executor/index.ts'), null, 'a public face')
  assert.equal(checkImport('report/load/csv.ts', 'report/page.ts'), null, 'inside one folder')
  assert.match(checkImport('flow/dag.ts', 'executor/index.ts')!.message, /^flow may not import executor: imports point down the data's path/)
  assert.match(checkImport('load/stats.ts', 'report/index.ts')!.message, /^load may not import report/)
  assert.match(checkImport('index.ts', 'cli/merge.ts')!.message, /^index may not import cli/)
  assert.equal(checkImport('serve/app.ts', 'executor/run.ts')!.message, 'import executor/index.js, the public face of executor, not executor/run.ts')
  assert.match(checkImport('newfolder/a.ts', 'errors.ts')!.message, /src\/newfolder is in no layer/)
})

test('eslint (npm run lint, part of npm test) fails an import against the grain', async () => {
  const eslint = new ESLint({ cwd: repoRoot })
  const [up] = await eslint.lintText("import { finalReport } from '../report/index.js'\nexport const f = finalReport\n", { filePath: `${repoRoot}src/load/new.ts` })
  assert.deepEqual(up!.messages.map((m) => [m.ruleId, m.severity]), [['floodgate/layers', 2]])
  assert.match(up!.messages[0]!.message, /^load may not import report/)
  const [inside] = await eslint.lintText("import { readBench } from '../report/bench/files.js'\nexport const f = readBench\n", { filePath: `${repoRoot}src/cli/new.ts` })
  assert.equal(inside!.messages[0]?.message, 'import report/index.js, the public face of report, not report/bench/files.ts')
})
