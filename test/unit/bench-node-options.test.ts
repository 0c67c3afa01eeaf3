// The bench measures the API and the worker with the heap limits production gives them.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { PRODUCTION_NODE_OPTIONS } from '../../bench/node-options'

const compose = readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8')

it.each(
  Object.entries({ API: PRODUCTION_NODE_OPTIONS.api, WORKER: PRODUCTION_NODE_OPTIONS.worker }),
)('docker-compose.yml gives the %s the node options the bench runs it with', (name, options) => {
  expect(compose).toContain(`NODE_OPTIONS: \${${name}_NODE_OPTIONS:-${options}}`)
})
