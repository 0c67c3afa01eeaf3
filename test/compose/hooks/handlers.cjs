// The compose test's HOOKS_MODULE (scripts/compose/docker-compose.test.yml mounts it in the worker
// at /app/hooks, as docs/production.md says): a user's handler, made with the image's own package.
const { createHandlers } = require('scompler-webhooks/worker')

module.exports = {
  default: createHandlers().on('compose.test.direct', async ({ data }) => ({
    through: data.through,
    package: require.resolve('scompler-webhooks/worker'),
  })),
}
