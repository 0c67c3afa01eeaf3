// After `tsc`: what the compiler does not emit. The SQL migrations, src/source-dir.cjs, and the workflow bundle, built
// once here so that the worker in the image starts without bundling (WORKFLOW_BUNDLE_PATH).
import { cpSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { bundleWorkflowCode } from '@temporalio/worker'
import { WORKFLOW_BUNDLE_OPTIONS } from '../src/create-worker'

const ROOT = path.join(__dirname, '..')

/** The files the compiled code reads beside itself (the bench's build needs them too). */
export function copyAssets(outDir: string): void {
  cpSync(path.join(ROOT, 'src/store/migrations'), path.join(outDir, 'src/store/migrations'), {
    recursive: true,
  })
  cpSync(path.join(ROOT, 'src/source-dir.cjs'), path.join(outDir, 'src/source-dir.cjs'))
}

async function main(outDir: string): Promise<void> {
  copyAssets(outDir)
  const { code } = await bundleWorkflowCode(WORKFLOW_BUNDLE_OPTIONS)
  writeFileSync(path.join(outDir, 'workflow-bundle.js'), code)
  process.stdout.write(`built ${path.join(outDir, 'workflow-bundle.js')}\n`)
}

if (require.main === module) {
  main(path.resolve(process.argv[2] ?? path.join(ROOT, 'dist'))).catch((error: unknown) => {
    process.stderr.write(`build-dist: ${(error as Error).message}\n`)
    process.exitCode = 1
  })
}
