/**
 * @shared-infra/event-bus/relay — the edge relay, programmatically, and development tokens.
 */
export { createDevToken, type DevTokenOptions, parseDuration } from "./auth/dev-token.js";
