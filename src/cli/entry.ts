// The CLI as a process entry, from dist/ or from source under tsx: what `floodgate bench` starts its
// children with (`floodgate mock|serve|load ...`), so they behave exactly as a user's commands do.
import { main } from './main.js'

await main(process.argv)
