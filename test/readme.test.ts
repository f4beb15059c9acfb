// README.md's examples work as written: every yaml block parses (flow, node, connections and bench
// files among them load), every shell block marked `<!-- test:run -->` runs with `floodgate` on the PATH
// against loopback servers on free ports and exits 0 without an error envelope in its output, and serve
// prints its documented ready line first.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { loadFlow } from '../src/executor/index.js'
import { loadBenchConfig } from '../src/bench/config.js'
import { cliCommand, repoRoot } from './helpers/cli.js'
import { freePort } from './helpers/ports.js'
import { READY, serve, stop } from './serve/cli-helpers.js'
import { fixture } from './serve/helpers.js'

interface Block {
  lang: string
  text: string
  /** 1-based line of the opening fence. */
  line: number
  run: boolean
}

const RUN_MARK = '<!-- test:run -->'

function readmeBlocks(): Block[] {
  const lines = readFileSync(join(repoRoot, 'README.md'), 'utf8').split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*$/.exec(lines[i])
    if (!open) continue
    const end = lines.indexOf('```', i + 1)
    blocks.push({ lang: open[1], text: lines.slice(i + 1, end).join('\n') + '\n', line: i + 1, run: lines[i - 1]?.trim() === RUN_MARK })
    i = end
  }
  return blocks
}

type Obj = Record<string, unknown>
const tempDirs: string[] = []
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}
process.on('exit', () => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const STUB_TOOL = "export default async function tool() { return 'ok' }\n"
const LLM_EXAMPLE = join(repoRoot, 'examples/llm-chat')

/** A flow folder holding `yaml` as flow.dag.yaml, with a stub for each code tool it names. */
function dagFolder(yaml: string, nodes: Obj[]): string {
  const dir = tempDir('fg-readme-flow-')
  cpSync(LLM_EXAMPLE, dir, { recursive: true })
  for (const node of nodes) {
    const path = (node.source as Obj | undefined)?.path
    if (typeof path === 'string' && /\.[mc]?[jt]s$/.test(path)) writeFileSync(join(dir, path), STUB_TOOL)
  }
  writeFileSync(join(dir, 'flow.dag.yaml'), yaml)
  return dir
}

test("every yaml block of README.md parses, and the flow, node, connections and bench files among them load", async () => {
  const kinds = new Map<string, number>()
  const count = (kind: string) => kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
  for (const block of readmeBlocks().filter((b) => b.lang === 'yaml')) {
    const at = `README.md:${block.line}`
    let doc: unknown
    assert.doesNotThrow(() => (doc = parse(block.text)), `${at}: not valid YAML`)
    const load = async (what: () => Promise<unknown>) => {
      try {
        await what()
      } catch (err) {
        assert.fail(`${at}: ${(err as Error).message}`)
      }
    }
    const data = doc as Obj
    if (Array.isArray(doc)) {
      // Nodes of a flow: they replace those of examples/llm-chat, whose templates and connections they name.
      const text = `${readFileSync(join(LLM_EXAMPLE, 'flow.dag.yaml'), 'utf8').split('\nnodes:\n')[0]}\nnodes:\n${block.text}`
      await load(async () => (await loadFlow(dagFolder(text, doc as Obj[]))).close())
      count('nodes')
    } else if (data.nodes !== undefined) {
      await load(async () => (await loadFlow(dagFolder(block.text, data.nodes as Obj[]))).close())
      count('dag')
    } else if (data.entry !== undefined) {
      const dir = tempDir('fg-readme-flex-')
      writeFileSync(join(dir, 'flow.flex.yaml'), block.text)
      const [file, name] = String(data.entry).split(':')
      writeFileSync(join(dir, `${file}.ts`), `export class ${name} {\n  constructor(readonly init: unknown) {}\n  async call(inputs: object) { return inputs }\n}\n`)
      await load(async () => (await loadFlow(dir)).close())
      count('flex')
    } else if (data.variants !== undefined) {
      const dir = tempDir('fg-readme-bench-')
      const services = data.services as Record<string, Obj>
      for (const service of Object.values(services)) {
        if (typeof service.flow === 'string') cpSync(fixture('constant'), join(dir, service.flow), { recursive: true })
      }
      writeFileSync(join(dir, 'bench.yaml'), block.text)
      await load(async () => loadBenchConfig(join(dir, 'bench.yaml')))
      count('bench')
    } else if (Object.values(data).some((v) => (v as Obj | null)?.type === 'open_ai')) {
      const dir = dagFolder(readFileSync(join(LLM_EXAMPLE, 'flow.dag.yaml'), 'utf8'), [])
      writeFileSync(join(dir, 'connections.yaml'), block.text)
      await load(async () => (await loadFlow(dir)).close())
      count('connections')
    } else {
      count('other')
    }
  }
  assert.deepEqual(Object.fromEntries(kinds), { bench: 1, dag: 1, flex: 1, nodes: 1, connections: 1 })
})

/** A folder holding `floodgate`, as `npm link` puts it on the PATH. */
function floodgateOnPath(): string {
  const bin = tempDir('fg-readme-bin-')
  const script = join(bin, 'floodgate')
  const command = [process.execPath, ...cliCommand].map((a) => `"${a}"`).join(' ')
  writeFileSync(script, `#!/bin/sh\nexec ${command} "$@"\n`)
  chmodSync(script, 0o755)
  return bin
}

interface BlockRun {
  code: number | null
  output: string
}

/** Runs a shell block in its own process group and folder, then stops whatever it left running. */
async function runBlock(block: Block, bin: string): Promise<BlockRun> {
  let text = block.text
  for (const port of ['50001', '50002', '8080']) text = text.replaceAll(port, String(await freePort()))
  const cwd = tempDir('fg-readme-run-')
  symlinkSync(join(repoRoot, 'examples'), join(cwd, 'examples'))
  const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', text], {
    cwd,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 90_000)
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
  clearTimeout(timer)
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    // nothing left running
  }
  return { code, output }
}

test('every shell block of README.md marked as runnable runs as written against loopback servers', async () => {
  const runnable = readmeBlocks().filter((b) => b.run)
  assert.ok(runnable.length >= 6, `${runnable.length} runnable blocks`)
  for (const block of runnable) assert.equal(block.lang, 'sh', `README.md:${block.line}: a runnable block is sh`)
  const bin = floodgateOnPath()
  // Three at a time: each starts a few servers, and the machine has two cores.
  const results: BlockRun[] = []
  let next = 0
  const lane = async (): Promise<void> => {
    for (let i = next++; i < runnable.length; i = next++) results[i] = await runBlock(runnable[i], bin)
  }
  await Promise.all([lane(), lane(), lane()])
  runnable.forEach((block, i) => {
    const { code } = results[i]
    const output = results[i].output.slice(-3000)
    assert.equal(code, 0, `README.md:${block.line} exited ${code}:\n${output}`)
    assert.doesNotMatch(output, /"error":\s*\{/, `README.md:${block.line} answered an error:\n${output}`)
    assert.doesNotMatch(output, /command not found/, `README.md:${block.line}:\n${output}`)
  })
})

test("serve's first line is the ready line the README shows, before any log line", async (t) => {
  const { child, output } = await serve([fixture('wait'), '--port', '0', '--workers', '2'])
  t.after(() => stop(child))
  assert.match(output().split('\n')[0], READY)
  const documented = /^# (floodgate serve: listening on .*)$/m.exec(readFileSync(join(repoRoot, 'README.md'), 'utf8'))?.[1]
  assert.ok(documented && READY.test(documented), 'the README shows the ready line')
})
