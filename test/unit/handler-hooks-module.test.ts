// HOOKS_MODULE: a module whose default export is a HandlerRegistry, optionally with
// deleteRelatedData; anything else stops the worker at startup with one line.
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ConfigError } from '../../src/config'
import type * as WorkerLibrary from '../../src/lib/worker'
import { loadHooksModule } from '../../src/worker/hooks-module'
import { registeredHandlers } from '../../src/worker/handlers/registry'

const dir = mkdtempSync(path.join(os.tmpdir(), 'hooks-module-'))
const LIB = JSON.stringify(path.resolve(__dirname, '../../src/lib/worker.ts'))

function moduleFile(name: string, source: string): string {
  const file = path.join(dir, name)
  writeFileSync(file, source)
  return file
}

it('loads the handlers of the default export and deleteRelatedData', async () => {
  const file = moduleFile(
    'handlers.cjs',
    `const { createHandlers } = require(${LIB})
module.exports = {
  default: createHandlers().on('posting.sent_to_publish', async () => 'pushed'),
  deleteRelatedData: async () => 0,
}`,
  )
  const loaded = await loadHooksModule(file)
  expect([...registeredHandlers(loaded.handlers).keys()]).toEqual(['posting.sent_to_publish'])
  expect(typeof loaded.hooks.deleteRelatedData).toBe('function')
})

it('takes a module with deleteRelatedData only (no handlers)', async () => {
  const file = moduleFile('cleanup.cjs', 'module.exports = { deleteRelatedData: async () => 0 }')
  const loaded = await loadHooksModule(file)
  expect(loaded.handlers).toBeUndefined()
  expect(typeof loaded.hooks.deleteRelatedData).toBe('function')
})

it('refuses the old posting hook, naming the export', async () => {
  const file = moduleFile('old.cjs', 'module.exports = { postingSentToPublish: async () => {} }')
  await expect(loadHooksModule(file)).rejects.toThrow(
    new ConfigError(
      'HOOKS_MODULE exports postingSentToPublish, which is neither a default export made by createHandlers() nor a deleteRelatedData function',
    ),
  )
})

it('refuses a default export that createHandlers did not make', async () => {
  const file = moduleFile('plain.cjs', 'module.exports = { default: { on() {} } }')
  await expect(loadHooksModule(file)).rejects.toThrow(/HOOKS_MODULE exports default/)
})

it('takes a registry made by another copy of the package (the built one, under npm start)', async () => {
  // A module registry of its own: a second copy of the package's modules, as dist/ is to src/.
  let other: typeof WorkerLibrary | undefined
  jest.isolateModules(() => {
    other = jest.requireActual<typeof WorkerLibrary>('../../src/lib/worker')
  })
  const file = moduleFile('other-copy.cjs', 'module.exports = { default: globalThis.otherCopy }')
  Object.assign(globalThis, {
    otherCopy: other!.createHandlers().on('posting.sent_to_publish', async () => 'pushed'),
  })
  const loaded = await loadHooksModule(file)
  expect([...registeredHandlers(loaded.handlers).keys()]).toEqual(['posting.sent_to_publish'])
})
