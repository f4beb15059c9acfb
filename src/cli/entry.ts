// The entry the bench starts its children with (`floodgate mock|serve|load ...`): the same CLI, so the
// children behave exactly as a user's commands do, from dist/ or from source under tsx.
import { main } from '../cli/main.js'

await main(process.argv)
