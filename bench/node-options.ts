/** The NODE_OPTIONS docker-compose.yml gives the API and the worker (a unit test keeps them equal). */
export const PRODUCTION_NODE_OPTIONS = {
  api: '--max-old-space-size=128',
  worker: '--max-old-space-size=160',
}
