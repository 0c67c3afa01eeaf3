// This folder (src/), for files shipped beside the code: workflows/, store migrations.
// CommonJS on purpose: `__dirname` is the one answer that Node (tsx, jest) and Deno (which loads
// .cjs files as CommonJS) all give; ES modules have no `__dirname`, CommonJS no `import.meta`.
module.exports = __dirname
