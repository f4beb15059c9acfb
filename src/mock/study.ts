// GET /: the study's mock API (PromptFlow's benchmark/promptflow-serve/mock_api). It waits a drawn delay
// and answers {"total_time_sec": t, "min_wait_time_sec": a, "max_wait_time_sec": b}, compact JSON in that
// field order, as FastAPI serialised it. The study's t was the drawn delay; ours is the measured time
// from the handler to the answer (the drawn delay plus timer lateness), which is what a client observes.
// The drawn delay is also sent in the x-floodgate-delay-sec header, so runs can be compared by seed.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TrackedRequest } from './tracked-request.js'
import { actOut, Fault } from './faults.js'

export interface StudyRouteOptions {
  minWait: number
  maxWait: number
  errorStatus: number
  nextDelay: () => number
  nextFault: () => Fault
  exchangeOf: (reply: FastifyReply) => TrackedRequest
}

export function studyRoute(app: FastifyInstance, o: StudyRouteOptions): void {
  const tail = `,"min_wait_time_sec":${o.minWait},"max_wait_time_sec":${o.maxWait}}`
  const errorBody = `{"detail":"injected error (floodgate mock --error-rate)"}`

  app.get('/', (_request, reply) => {
    const exchange = o.exchangeOf(reply)
    const started = performance.now()
    // The delay is drawn for every request, faulted or not, so the delay sequence depends on the seed only.
    const delay = o.nextDelay()
    const fault = o.nextFault()
    if (fault === Fault.Error) {
      reply.code(o.errorStatus).type('application/json').send(errorBody)
      return
    }
    if (fault !== Fault.None) {
      actOut(fault, reply, exchange)
      return
    }
    reply.header('x-floodgate-delay-sec', delay)
    const answer = () => {
      exchange.timer = null
      const total = (performance.now() - started) / 1000
      reply.type('application/json').send(`{"total_time_sec":${total}${tail}`)
    }
    if (delay <= 0) answer()
    else exchange.timer = setTimeout(answer, delay * 1000)
  })
}
