#!/usr/bin/env node
// The CLI runs from the compiled output; `npm ci` builds it through the `prepare` script.
import { main } from '../dist/cli/main.js'

main(process.argv).catch((err) => {
  process.stderr.write(`floodgate: ${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
})
