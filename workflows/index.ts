// The workflow bundle's entry: one export per workflow type (see WORKFLOW_TYPES in src/domain).
export { appUninstalled } from './app-uninstalled'
export { postingSentToPublish } from './posting-sent-to-publish'
export { unhandledEvent } from './unhandled-event'
export { handOverEvent } from './hand-over-event'
