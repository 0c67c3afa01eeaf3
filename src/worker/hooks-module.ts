// HOOKS_MODULE: production users add their handlers without forking. The module's default export
// is a HandlerRegistry (createHandlers() of scompler-webhooks/worker); it may also export
// deleteRelatedData, the short hook that runs inside the uninstall transaction.
import { pathToFileURL } from 'node:url'
import type { Hooks } from '../../activities'
import { ConfigError } from '../config'
import { isHandlerRegistry, type HandlerRegistry } from './handlers/registry'

export interface HooksModule {
  handlers?: HandlerRegistry
  hooks: Partial<Hooks>
}

export async function loadHooksModule(file: string | undefined): Promise<HooksModule> {
  if (!file) return { hooks: {} }
  let loaded: Record<string, unknown>
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>
  } catch (error) {
    throw new ConfigError(`HOOKS_MODULE could not be loaded: ${(error as Error).message}`)
  }
  const module: HooksModule = { hooks: {} }
  for (const [name, value] of Object.entries(exportsOf(loaded))) {
    if (name === '__esModule') continue
    if (name === 'default' && isHandlerRegistry(value)) module.handlers = value
    else if (name === 'deleteRelatedData' && typeof value === 'function') {
      module.hooks.deleteRelatedData = value as Hooks['deleteRelatedData']
    } else {
      throw new ConfigError(
        `HOOKS_MODULE exports ${name}, which is neither a default export made by createHandlers() ` +
          'nor a deleteRelatedData function',
      )
    }
  }
  return module
}

/** A CommonJS module's exports object arrives as `default` (with a `default` of its own when compiled from ESM). */
function exportsOf(loaded: Record<string, unknown>): Record<string, unknown> {
  const main = loaded.default
  return typeof main === 'object' && main !== null && !isHandlerRegistry(main)
    ? (main as Record<string, unknown>)
    : loaded
}
