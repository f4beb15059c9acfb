// A tool that cannot load says which file and why, in the user's terms (src/flow/tool-errors.ts): a syntax
// error with its file, line and column, a name imported that its module does not export, a package that is
// not installed, a relative import of a file that is not there, an exception while the module ran.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { loadFlow } from '../../src/executor/index.js'
import { FlowDefinitionError } from '../../src/errors.js'

const YAML = `inputs: {}
outputs:
  a: {type: string, reference: "\${ok.output}"}
nodes:
- {name: ok, type: typescript, source: {type: code, path: ok.ts}}
- {name: t, type: typescript, source: {type: code, path: t.ts}}
`

/** Loads a flow whose node t is `t.ts` (beside a good tool ok.ts) and returns its load error's message. */
async function loadError(t: TestContext, files: Record<string, string>): Promise<{ message: string; yaml: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-tool-errors-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries({ 'flow.dag.yaml': YAML, 'ok.ts': 'export default async function ok() { return "ok" }\n', ...files })) {
    await mkdir(dirname(join(dir, name)), { recursive: true })
    await writeFile(join(dir, name), text)
  }
  const err = await loadFlow(dir).then((flow) => flow.close().then(() => assert.fail('the flow loaded')), (e: unknown) => e)
  assert.ok(err instanceof FlowDefinitionError, String(err))
  return { message: err.message, yaml: join(dir, 'flow.dag.yaml') }
}

const cases: Array<[string, Record<string, string>, string]> = [
  ['a syntax error: file, line and column', { 't.ts': 'export default async function t() {\n  const x = = 1\n}\n' },
    'cannot load t.ts: syntax error on line 2, column 13: Unexpected "="'],
  ['a syntax error on the first line of a file that reads import.meta', { 't.ts': 'export default async function t() { return 1 +* 2 }\nconst here = import.meta.url\n' },
    'cannot load t.ts: syntax error on line 1, column 47: Unexpected "*"'],
  ['a syntax error in a helper the tool imports', { 't.ts': 'import { h } from "./lib/helper"\nexport default async function t() { return h() }\n', 'lib/helper.ts': 'export function h() {\n  return (1\n}\n' },
    'cannot load t.ts: syntax error in lib/helper.ts on line 3, column 1: Expected ")" but found "}"'],
  ['a name its helper does not export', { 't.ts': 'import { hh } from "./helper"\nexport default async function t() { return hh() }\n', 'helper.ts': 'export function h() { return 1 }\n' },
    'cannot load t.ts: it imports "hh" from helper.ts, which has no export of that name'],
  ['a name floodgate/tools does not export', { 't.ts': 'import { sleepp } from "floodgate/tools"\nexport default async function t() { return sleepp(1) }\n' },
    'cannot load t.ts: it imports "sleepp" from floodgate/tools, which has no export of that name'],
  ['no default export', { 't.ts': 'export async function t() { return 1 }\n' },
    't.ts must default-export the tool function (no default export; it exports t)'],
  ['a package that is not installed', { 't.ts': 'import _ from "left-pad-not-installed/sub"\nexport default async function t() { return _ }\n' },
    'cannot load t.ts: it imports the package "left-pad-not-installed", which is not installed (run npm install left-pad-not-installed in the flow folder or a folder above it)'],
  ['a relative import of a missing file', { 't.ts': 'import { h } from "./helpers"\nexport default async function t() { return h }\n' },
    'cannot load t.ts: it imports "./helpers", which does not exist'],
  ['an exception while the module runs, with its line', { 't.ts': 'const ready = false\nif (!ready) throw new Error("config missing")\nexport default async function t() { return 1 }\n' },
    'cannot load t.ts: it threw while loading (at t.ts:2): config missing']
]

for (const [name, files, expected] of cases) {
  test(`a tool that cannot load: ${name}`, async (t) => {
    const { message, yaml } = await loadError(t, files)
    assert.equal(message, `${yaml}: nodes[1].source.path: ${expected}`)
  })
}
