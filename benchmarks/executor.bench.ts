// Executor overhead: per node on a 100-node chain of no-op async tools, and per dispatch of a no-op sync
// tool to the pool. Baselines measured in the same run give context: the same chain as bare awaited
// calls, and a bare piscina run() of a no-op task.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadFlow } from '../src/executor/index.js'
import { emit, round } from './report.js'

const CHAIN = 100
const CHAIN_RUNS = 2000
const DISPATCHES = 3000

async function chainFlow(dir: string): Promise<void> {
  const nodes = Array.from({ length: CHAIN }, (_, i) =>
    `- name: n${i}\n  type: javascript\n  source:\n    type: code\n    path: noop.mjs\n  inputs:\n    x: ${i === 0 ? '${inputs.x}' : `\${n${i - 1}.output}`}\n`)
  await writeFile(join(dir, 'flow.dag.yaml'), `inputs:\n  x:\n    type: int\n    default: 1\noutputs:\n  y:\n    reference: \${n${CHAIN - 1}.output}\nnodes:\n${nodes.join('')}`)
  await writeFile(join(dir, 'noop.mjs'), 'export default async function noop({ x }) { return x }\n')
}

async function syncFlow(dir: string): Promise<void> {
  await writeFile(join(dir, 'flow.dag.yaml'), 'inputs:\n  x:\n    type: int\n    default: 1\noutputs:\n  y:\n    reference: ${a.output}\nnodes:\n- name: a\n  type: javascript\n  source:\n    type: code\n    path: noop.mjs\n  inputs:\n    x: ${inputs.x}\n')
  await writeFile(join(dir, 'noop.mjs'), 'export default function noop({ x }) { return x }\n')
}

async function timeRuns(runs: number, once: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, runs / 10); i++) await once() // warm up the JIT
  const started = performance.now()
  for (let i = 0; i < runs; i++) await once()
  return (performance.now() - started) * 1000 / runs // us per run
}

async function bareChain(x: number): Promise<number> {
  const noop = async ({ x }: { x: number }) => x
  let v = x
  for (let i = 0; i < CHAIN; i++) v = await noop({ x: v })
  return v
}

const root = await mkdtemp(join(tmpdir(), 'floodgate-bench-'))
try {
  await writeFile(join(root, 'package.json'), '{"type": "module"}\n')
  const chainDir = await mkdtemp(join(root, 'chain-'))
  await chainFlow(chainDir)
  const chain = await loadFlow(chainDir)
  const inputs = chain.validateInputs({})
  const perNode = (await timeRuns(CHAIN_RUNS, () => chain.execute(inputs))) / CHAIN
  const bareNode = (await timeRuns(CHAIN_RUNS, () => bareChain(1))) / CHAIN
  await chain.close()

  const syncDir = await mkdtemp(join(root, 'sync-'))
  await syncFlow(syncDir)
  const sync = await loadFlow(syncDir, { threads: 1 })
  const syncInputs = sync.validateInputs({})
  const perDispatch = await timeRuns(DISPATCHES, () => sync.execute(syncInputs))
  await sync.close()

  const { Piscina } = await import('piscina')
  const taskFile = join(root, 'task.mjs')
  await writeFile(taskFile, 'export default function noop(x) { return x }\n')
  const bare = new Piscina({ filename: taskFile, minThreads: 1, maxThreads: 1 })
  const bareDispatch = await timeRuns(DISPATCHES, () => bare.run(1))
  await bare.destroy()

  process.stdout.write(`async chain: ${round(perNode)} us/node (bare awaited calls: ${round(bareNode)} us/node)\n`)
  process.stdout.write(`pool dispatch: ${round(perDispatch)} us/run of a one-node sync flow (bare piscina run: ${round(bareDispatch)} us)\n`)
  emit('executor', [
    { metric: 'async node overhead (100-node chain)', value: round(perNode), unit: 'us/node', target: '< 10', pass: perNode < 10 },
    { metric: 'bare awaited call (baseline)', value: round(bareNode), unit: 'us/node' },
    { metric: 'sync tool pool dispatch (one-node flow run)', value: round(perDispatch), unit: 'us/dispatch', target: '< 50', pass: perDispatch < 50 },
    { metric: 'bare piscina run (baseline)', value: round(bareDispatch), unit: 'us/dispatch' }
  ])
} finally {
  await rm(root, { recursive: true, force: true })
}
