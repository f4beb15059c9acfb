// A flow folder as users bring it: .ts/.mts/.js/.mjs tools, no package.json anywhere above it (or one
// without "type"), in the system's temporary folder, run by the compiled CLI from that folder (as a
// global install or npx runs it). Every tool imports floodgate/tools; the sync ones run on pool threads
// of each serving worker.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { request } from 'undici'
import { repoRoot, waitForLine } from '../helpers/cli.js'
import { READY, exited, workerPids } from '../serve/cli-helpers.js'

const bin = join(repoRoot, 'bin/floodgate.js')
const compiled = existsSync(join(repoRoot, 'dist/cli/main.js'))

const FILES: Record<string, string> = {
  'flow.dag.yaml': `inputs:
  question: {type: string, default: hi}
outputs:
  ask: {type: string, reference: "\${ask.output}"}
  block: {type: object, reference: "\${block.output}"}
  plain: {type: string, reference: "\${plain.output}"}
  legacy: {type: object, reference: "\${legacy.output}"}
nodes:
- {name: ask, type: typescript, source: {type: code, path: ask.ts}, inputs: {question: "\${inputs.question}"}}
- {name: block, type: typescript, source: {type: code, path: block.mts}, inputs: {after: "\${ask.output}"}}
- {name: plain, type: javascript, source: {type: code, path: plain.js}, inputs: {question: "\${inputs.question}"}}
- {name: legacy, type: javascript, source: {type: code, path: legacy.js}, inputs: {question: "\${inputs.question}"}}
`,
  // TypeScript, an async tool: a relative import without extension, types and a helper from floodgate/tools.
  'ask.ts': `import { sleep, type ToolContext } from 'floodgate/tools'
import { shout } from './lib/words'
export default async function ask({ question }: { question: string }, { signal }: ToolContext): Promise<string> {
  await sleep(5, signal)
  return shout(question)
}
`,
  'lib/words.ts': 'export const shout = (s: string): string => `${s.toUpperCase()}!`\n',
  // A sync tool in an .mts file: runs on a pool thread.
  'block.mts': `import { sleepSync } from 'floodgate/tools'
import { isMainThread } from 'node:worker_threads'
export default function block({ after }: { after: string }) {
  sleepSync(20)
  return { after, onPool: !isMainThread, pid: process.pid }
}
`,
  // Plain JavaScript with ES module syntax in a .js file, reading its own location.
  'plain.js': `import { sleep } from 'floodgate/tools'
export default async function plain({ question }) {
  await sleep(1)
  return question + ' from ' + new URL(import.meta.url).pathname.split('/').pop()
}
`,
  // CommonJS in a .js file: require(), module.exports, __filename; a sync tool.
  'legacy.js': `const { basename } = require('node:path')
const { sleepSync } = require('floodgate/tools')
module.exports = function legacy({ question }) {
  sleepSync(1)
  return { question, file: basename(__filename) }
}
`
}

async function plainFolder(t: TestContext, extra: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-plain-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries({ ...FILES, ...extra })) {
    await mkdir(dirname(join(dir, name)), { recursive: true })
    await writeFile(join(dir, name), text)
  }
  for (let up = dirname(dir); up !== dirname(up); up = dirname(up)) {
    assert.ok(!existsSync(join(up, 'package.json')), `${up} holds a package.json: the test needs a folder with none above it`)
  }
  return dir
}

function floodgate(args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
}

async function runJson(dir: string): Promise<{ outputs: Record<string, unknown>; trace: { nodes: Array<{ node: string; ranOn: string }> } }> {
  const child = floodgate(['run', '.', '--json', '--input', 'question=hello'], dir)
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const { code } = await exited(child)
  assert.equal(code, 0, err)
  return JSON.parse(out) as { outputs: Record<string, unknown>; trace: { nodes: Array<{ node: string; ranOn: string }> } }
}

const EXPECTED = { ask: 'HELLO!', plain: 'hello from plain.js', legacy: { question: 'hello', file: 'legacy.js' } }

test('floodgate run: a plain folder with no package.json above it, and one whose package.json has no "type"', { skip: !compiled && 'needs npm run build' }, async (t) => {
  const extras: Array<Record<string, string>> = [{}, { 'package.json': '{"name": "my-flow", "version": "1.0.0"}\n' }]
  for (const extra of extras) {
    const dir = await plainFolder(t, extra)
    const { outputs, trace } = await runJson(dir)
    assert.deepEqual({ ask: outputs.ask, plain: outputs.plain, legacy: outputs.legacy }, EXPECTED)
    assert.deepEqual(outputs.block && { ...(outputs.block as object), pid: 0 }, { after: 'HELLO!', onPool: true, pid: 0 })
    assert.deepEqual(trace.nodes.map((n) => `${n.node}:${n.ranOn}`).sort(), ['ask:loop', 'block:pool', 'legacy:pool', 'plain:loop'])
  }
})

test('floodgate serve: a plain folder in 2 workers, its sync tools on each worker\'s pool threads', { skip: !compiled && 'needs npm run build' }, async (t) => {
  const dir = await plainFolder(t)
  const child = floodgate(['serve', '.', '--port', '0', '--workers', '2', '--threads', '2', '--max-concurrency', '0', '--log-level', 'debug'], dir)
  let output = ''
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
  t.after(async () => {
    child.kill('SIGKILL')
    await exited(child)
  })
  const url = (await waitForLine(child, READY, 60_000))[1]!
  assert.equal(new Set(workerPids(output)).size, 2, 'both workers loaded the flow')
  const answers = await Promise.all(Array.from({ length: 8 }, async () => {
    const res = await request(`${url}/score`, { method: 'POST', body: '{"question": "hello"}', headers: { 'content-type': 'application/json' } })
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }
  }))
  for (const { status, body } of answers) {
    assert.equal(status, 200, JSON.stringify(body))
    assert.deepEqual({ ask: body.ask, plain: body.plain, legacy: body.legacy }, EXPECTED)
    assert.equal((body.block as { onPool: boolean }).onPool, true)
  }
})
