// The package's root entry (`scompler-webhooks`) is what an app's API process loads: nothing of
// the worker, the store or the activities may come with it, however indirectly, nor what only
// the standalone processes use (envconfig reads TEMPORAL_* for them; the OpenTelemetry SDK and
// exporter are theirs to start: the root entry reads trace ids through @opentelemetry/api). The
// lint rules see one file at a time; this loads the entry in a fresh process and lists every
// module it took.
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

/** Packages only the standalone processes load; of OpenTelemetry, the root entry takes the API. */
const STANDALONE_ONLY =
  /(?:^|\/)node_modules\/(@temporalio\/envconfig|@opentelemetry\/(?!api\/)[^/]+)\//

function standaloneOnly(modules: string[]): string[] {
  return [...new Set(modules.flatMap((file) => STANDALONE_ONLY.exec(file)?.[1] ?? []))]
}

describe('the root entry', () => {
  it('loads the webhook middleware and no worker, store or activities code', () => {
    const modules = modulesLoadedBy('src/lib/index.ts')
    expect(modules).toEqual(expect.arrayContaining(['src/http/delivery.ts', 'src/http/webhook.ts']))
    expect(forbidden(modules)).toEqual([])
  })

  it('loads neither envconfig nor the OpenTelemetry SDK or exporter', () => {
    const modules = modulesLoadedBy('src/lib/index.ts')
    expect(modules).toEqual(
      expect.arrayContaining([expect.stringMatching(/^node_modules\/@opentelemetry\/api\//)]),
    )
    expect(standaloneOnly(modules)).toEqual([])
  })

  it('would be caught loading envconfig or the OpenTelemetry SDK and exporter', () => {
    expect(standaloneOnly(modulesLoadedBy('src/config.ts'))).toEqual(['@temporalio/envconfig'])
    expect(standaloneOnly(modulesLoadedBy('src/shared/tracing.ts'))).toEqual(
      expect.arrayContaining([
        '@opentelemetry/sdk-trace-base',
        '@opentelemetry/exporter-trace-otlp-http',
      ]),
    )
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
