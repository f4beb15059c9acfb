// The one rule for the Node flags a child process or worker thread inherits (src/process/flags.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { inheritedFlags, processExecArgv, threadExecArgv } from '../../src/process/index.js'
import { runCli } from '../helpers/cli.js'

function withExecArgv(argv: string[], fn: () => void): void {
  const saved = process.execArgv
  Object.defineProperty(process, 'execArgv', { value: argv, configurable: true, writable: true })
  try {
    fn()
  } finally {
    Object.defineProperty(process, 'execArgv', { value: saved, configurable: true, writable: true })
  }
}

const js = new URL('file:///app/dist/serve/worker.js')
const ts = new URL('file:///app/src/serve/worker.ts')

test('a child keeps the flags that shape it and drops the inline script, the test runner, the debugger and watch mode', () => {
  withExecArgv(
    ['--heap-growing-percent=100', '-e', 'console.log(1)', '--eval=x', '-p', '1', '--print=2', '--test-timeout=1000',
      '--test', '--experimental-test-coverage', '--inspect=9229', '--inspect-brk', '--watch', '--watch-path=src', '--max-old-space-size=512'],
    () => assert.deepEqual(inheritedFlags(), ['--heap-growing-percent=100', '--max-old-space-size=512'])
  )
})

test('from source a child process gets --import tsx once; a compiled entry gets nothing added', () => {
  withExecArgv([], () => {
    assert.deepEqual(processExecArgv(ts), ['--import', 'tsx'])
    assert.deepEqual(processExecArgv(js), [])
  })
  withExecArgv(['--import', 'tsx', '--test-concurrency=1'], () => assert.deepEqual(processExecArgv(ts), ['--import', 'tsx']))
})

test("from source a worker thread gets an --import that registers tsx's loader (threads do not inherit it)", () => {
  withExecArgv(['--import', 'tsx', '--inspect'], () => {
    const args = threadExecArgv(ts)
    assert.deepEqual(args.slice(0, 3), ['--import', 'tsx', '--import'])
    assert.match(decodeURIComponent(args[3]!), /^data:text\/javascript,import \{ register \} from ".*tsx.*"; register\(\)$/)
    assert.deepEqual(threadExecArgv(js), ['--import', 'tsx'])
  })
})

test("a worker thread gets Node's flags and none of V8's (process-wide already; new Worker refuses them)", () => {
  const argv = ['--max-semi-space-size=32', '--heap-growing-percent=100', '--max-old-space-size=512', '--stack-size', '900',
    '--enable-source-maps', '--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--conditions', 'dev', '--trace-gc', '--expose_gc']
  withExecArgv(argv, () => {
    assert.deepEqual(processExecArgv(js), argv)
    assert.deepEqual(threadExecArgv(js), ['--enable-source-maps', '--cpu-prof', '--conditions', 'dev'])
  })
})

test("a worker thread gets none of Node's per-process flags, which new Worker refuses too; the rest it keeps, values and all", async () => {
  const argv = ['--title=floodgate-test', '--use-openssl-ca', '--icu-data-dir=/tmp', '--cpu-prof-dir=/tmp/prof', '--disable-proto=throw',
    '--no-warnings', '--report-on-signal', '--max-http-header-size=20000', '--conditions', 'dev']
  let execArgv: string[] = []
  withExecArgv(argv, () => (execArgv = threadExecArgv(js)))
  assert.deepEqual(execArgv, ['--no-warnings', '--report-on-signal', '--max-http-header-size=20000', '--conditions', 'dev'])
  const worker = new Worker('require("node:worker_threads").parentPort.postMessage(process.execArgv)', { eval: true, execArgv })
  const [seen] = (await once(worker, 'message')) as [string[]]
  assert.deepEqual(seen, execArgv)
  await worker.terminate()
})

test('node --use-openssl-ca (a per-process flag): a flow with a sync tool runs, its pool threads started without it', async () => {
  const r = await runCli(['run', 'test/serve/fixtures/sync', '--input', 'ms=1', '--input', 'tag=pooled'], { nodeFlags: ['--use-openssl-ca', '--title=floodgate-flags-test'] })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /"tag": "pooled"/)
})

test('a worker thread starts with the flags given to it when the process runs with V8 flags', async () => {
  let execArgv: string[] = []
  withExecArgv(['--max-semi-space-size=32', '--heap-growing-percent=100', '--enable-source-maps'], () => (execArgv = threadExecArgv(js)))
  const worker = new Worker('require("node:worker_threads").parentPort.postMessage(process.execArgv)', { eval: true, execArgv })
  const [seen] = (await once(worker, 'message')) as [string[]]
  assert.deepEqual(seen, ['--enable-source-maps'])
  await worker.terminate()
})
