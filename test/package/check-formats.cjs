// Run by consumer.test.ts with node in the scratch project (the packed package installed there).
// `node check-formats.cjs`: what a CommonJS `require` and an ES module `import` get from each entry
// point, and whether they get the same objects (one copy of the package's classes, no dual build).
// `node check-formats.cjs --root-only`: the packages that requiring the root entry alone loads
// (the API's import graph: no worker, no store).
const ENTRY_POINTS = [
  'scompler-webhooks',
  'scompler-webhooks/worker',
  'scompler-webhooks/store',
  'scompler-webhooks/testing',
]

/** An entry point's export names, without the interop markers of CommonJS loaded as ESM. */
function exportNames(module) {
  const markers = ['default', 'module.exports', '__esModule']
  return Object.keys(module)
    .filter((name) => !markers.includes(name))
    .sort()
}

async function formats() {
  const report = {}
  for (const entry of ENTRY_POINTS) {
    const required = require(entry)
    const imported = await import(entry)
    report[entry] = {
      required: exportNames(required),
      // Node's named exports, detected in the CommonJS build.
      imported: exportNames(imported),
      sameObjects: Object.keys(required).every((name) => imported[name] === required[name]),
    }
  }
  return report
}

function loadedByRoot() {
  require('scompler-webhooks')
  const packages = new Set()
  for (const file of Object.keys(require.cache)) {
    const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)
    if (match) packages.add(match[1])
  }
  return [...packages].sort()
}

const run = process.argv.includes('--root-only') ? async () => loadedByRoot() : formats
run().then(
  (result) => process.stdout.write(JSON.stringify(result)),
  (error) => {
    process.stderr.write(`${error.stack}\n`)
    process.exitCode = 1
  },
)
