// The package's root entry (`scompler-webhooks`) is what an app's API process loads: nothing of
// the worker, the store or the activities may come with it, however indirectly. The lint rules
// see one file at a time; this loads the entry in a fresh process and lists every module it took.
import { execFileSync } from 'node:child_process'
import path from 'node:path'

const ROOT = path.join(__dirname, '../..')

function modulesLoadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(path.join(ROOT, entry))})
process.stdout.write(JSON.stringify(Object.keys(require.cache)))`
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  })
  return (JSON.parse(out) as string[]).map((file) => path.relative(ROOT, file))
}

const OWN_CODE =
  /^(src\/(worker|store|admin|cli)\/|src\/(worker|cli|main)\.ts$|activities\/|workflows\/)/
const PACKAGES = /^node_modules\/(pg|pg-[^/]+|@electric-sql\/pglite|@temporalio\/worker)\//

function forbidden(modules: string[]): string[] {
  return modules.filter((file) => OWN_CODE.test(file) || PACKAGES.test(file))
}

describe('the root entry', () => {
  it('loads the webhook middleware and no worker, store or activities code', () => {
    const modules = modulesLoadedBy('src/lib/index.ts')
    expect(modules).toEqual(expect.arrayContaining(['src/http/delivery.ts', 'src/http/webhook.ts']))
    expect(forbidden(modules)).toEqual([])
  })

  it('would be caught loading the store', () => {
    expect(forbidden(modulesLoadedBy('src/store/database.ts'))).toEqual(
      expect.arrayContaining([
        'src/store/database.ts',
        expect.stringMatching(/^node_modules\/pg\//),
      ]),
    )
  })
})
