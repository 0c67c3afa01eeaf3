// HOOKS_MODULE: production users add their own logic (related data, postings) without forking.
import { pathToFileURL } from 'node:url'
import { defaultHooks, type Hooks } from '../../activities'
import { ConfigError } from '../config'

const HOOK_NAMES = Object.keys(defaultHooks) as Array<keyof Hooks>

/** The module's default export (or its named exports): functions named after hooks only. */
export async function loadHooksModule(file: string | undefined): Promise<Partial<Hooks>> {
  if (!file) return {}
  let loaded: Record<string, unknown>
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>
  } catch (error) {
    throw new ConfigError(`HOOKS_MODULE could not be loaded: ${(error as Error).message}`)
  }
  const hooks = (loaded.default ?? loaded) as Record<string, unknown>
  const entries = Object.entries(hooks).filter(([name]) => name !== '__esModule')
  for (const [name, value] of entries) {
    if (!HOOK_NAMES.includes(name as keyof Hooks) || typeof value !== 'function') {
      throw new ConfigError(
        `HOOKS_MODULE exports ${name}, which is not a hook function (${HOOK_NAMES.join(', ')})`,
      )
    }
  }
  return Object.fromEntries(entries)
}
