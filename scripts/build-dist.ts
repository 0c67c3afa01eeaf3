// After `tsc`: what the compiler does not emit. The SQL migrations, src/source-dir.cjs, and the workflow bundle, built
// once here so that the worker in the image starts without bundling (WORKFLOW_BUNDLE_PATH).
import { cpSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { bundleWorkflowCode, type Logger } from '@temporalio/worker'
import { WORKFLOW_BUNDLE_FILE, WORKFLOW_BUNDLE_OPTIONS } from '../src/worker/create-worker'

const ROOT = path.join(__dirname, '..')

/** Completes a `tsc` output in `outDir` (dist/, or the bench's build); returns the bundle's path. */
export async function completeBuild(outDir: string, logger?: Logger): Promise<string> {
  cpSync(path.join(ROOT, 'src/store/migrations'), path.join(outDir, 'src/store/migrations'), {
    recursive: true,
  })
  cpSync(path.join(ROOT, 'src/source-dir.cjs'), path.join(outDir, 'src/source-dir.cjs'))
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger })
  const bundlePath = path.join(outDir, WORKFLOW_BUNDLE_FILE)
  writeFileSync(bundlePath, code)
  return bundlePath
}

if (require.main === module) {
  completeBuild(path.resolve(process.argv[2] ?? path.join(ROOT, 'dist'))).then(
    (bundlePath) => process.stdout.write(`built ${bundlePath}\n`),
    (error: unknown) => {
      process.stderr.write(`build-dist: ${(error as Error).message}\n`)
      process.exitCode = 1
    },
  )
}
