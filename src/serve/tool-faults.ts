// A serving process's listeners for faults nothing could catch. A tool's code is not ours: a promise it
// rejected and never awaited, or an exception it threw in a timer callback, fails that tool's run (500
// naming the node) and the process keeps serving every other request. A fault that cannot be traced to
// a tool leaves the process in a state no one knows: an uncaught exception makes it stop accepting,
// finish the runs in progress and exit for the cluster primary (or the supervisor) to replace it; an
// unhandled rejection outside any run is logged (it unwound nothing half-done).
import type { Logger } from 'pino'
import { attributeFault, type FaultKind } from '../executor/index.js'

/** Installs the listeners; returns a function that removes them. */
export function guardProcess(flowName: string, logger: Logger, onUnknownState: () => void): () => void {
  const handle = (err: unknown, kind: FaultKind): void => {
    const fault = attributeFault(err, kind)
    if (fault !== undefined) {
      const outcome = fault.failedRun ? 'its run failed' : 'after its run had ended'
      logger.error({ flow: flowName, node: fault.node, reqId: fault.requestId, err }, `${kind} in the code of node "${fault.node}": ${outcome}; the server keeps serving`)
    } else if (kind === 'unhandled promise rejection') {
      logger.error({ flow: flowName, err }, 'unhandled promise rejection outside any run; the server keeps serving')
    } else {
      logger.fatal({ flow: flowName, err }, 'uncaught exception outside any run: the process state is unknown; it stops accepting, finishes the runs in progress and exits to be replaced')
      onUnknownState()
    }
  }
  const onRejection = (reason: unknown): void => handle(reason, 'unhandled promise rejection')
  const onException = (err: unknown): void => handle(err, 'uncaught exception')
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  return () => {
    process.off('unhandledRejection', onRejection)
    process.off('uncaughtException', onException)
  }
}
