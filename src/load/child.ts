// Entry of one generator child process (--processes): receives its share of the plan over IPC, runs
// it, streams per-second ticks and sends its LoadResult back. Writes nothing to stdout.
import { onStopSignal } from '../process/index.js'
import { runLocal } from './local.js'
import type { ChildMessage, ParentMessage } from './processes.js'
import type { Plan } from './options.js'

const controller = new AbortController()
const send = (m: ChildMessage) => process.send?.(m)
const stop = () => controller.abort()
// Ctrl-C reaches the whole process group: stop like the parent does, and report what ran.
onStopSignal(stop)
process.on('disconnect', stop)

process.on('message', (m: ParentMessage) => {
  if (m.type === 'stop') return stop()
  if (m.type !== 'run') return
  const plan: Plan = { ...m.plan, body: m.body === undefined ? undefined : Buffer.from(m.body, 'base64') }
  runLocal(plan, { signal: controller.signal, startAt: m.startAt, onTick: (tick) => send({ type: 'tick', tick }) })
    .then((result) => send({ type: 'result', result }))
    .catch((err: Error) => send({ type: 'error', message: err.message, stack: err.stack ?? '' }))
    .finally(() => process.disconnect?.())
})
send({ type: 'ready' })
