// `scompler-webhooks`: the command line (bin/scompler-webhooks.js runs it).
import { runCli } from './cli/program'

void runCli(process.argv.slice(2), process.env).then((code) => {
  process.exitCode = code
})
