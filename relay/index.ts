/**
 * @shared-infra/event-bus/relay — the edge relay, programmatically, and development tokens.
 *
 *   import { createRelay } from "@shared-infra/event-bus/relay";
 *   const relay = await createRelay({ port: 8080, auth: { secret: process.env.JWT_SECRET } });
 */
export { createDevToken, type DevTokenOptions, parseDuration } from "./auth/dev-token.js";
export type { AuthorizeHook, AuthorizeUser, RoomAction } from "./edge/authorize.js";
export { createRelay, type Relay, type RelayStats } from "./edge/create-relay.js";
export type { RelayLogger } from "./edge/logger.js";
export type { RelayMetrics } from "./edge/metrics.js";
export {
  DEFAULT_RELAY_LIMITS,
  type RelayAuthOptions,
  type RelayLimits,
  type RelayOptions,
  type RelayPresenceOptions,
} from "./edge/options.js";
export { type RevokeOptions, revokeUserSessions } from "./edge/revocation.js";
export { installSignalHandlers } from "./edge/shutdown.js";
