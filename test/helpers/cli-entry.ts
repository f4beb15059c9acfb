// Runs the CLI from source (through tsx) so tests do not depend on a fresh `npm run build`.
import { main } from '../../src/cli/main.js'

await main(process.argv)
