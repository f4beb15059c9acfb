// The process layer, usable by every folder: where a child's or a thread's entry file is, which Node flags
// it inherits, the cluster primary of serve and mock and its workers' side, one message format between
// them, the stop signals and their exit codes, and the URL a server announces.
export { siblingUrl, isSourceUrl } from './sibling.js'
export { inheritedFlags, processExecArgv, threadExecArgv } from './flags.js'
export { startPrimary, type AcceptPolicy, type Primary, type PrimaryEvents, type PrimaryOptions } from './cluster.js'
export { answerPrimary, askPrimary, drainOnStop, failStartup, reportReady } from './cluster-worker.js'
export { isMessage, type ReadyMessage, type Reply, type Request } from './messages.js'
export { interruptedExitCode, onStopSignal, untilStopSignal, type StopSignal } from './signals.js'
export { urlOf } from './url.js'
