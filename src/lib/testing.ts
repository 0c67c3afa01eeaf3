// `scompler-webhooks/testing`: build, sign and deliver events in an app's own tests.
export { buildEvent, type EventOverrides, type WireData } from '../testing/build-event'
export { buildDelivery, signBody, type Delivery } from '../testing/build-delivery'
export { runHandler, type RunHandlerOptions } from '../worker/handlers/testing'
