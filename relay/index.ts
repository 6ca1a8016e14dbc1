/**
 * @shared-infra/event-bus/relay — the edge relay, programmatically, and development tokens.
 *
 *   import { createRelay } from "@shared-infra/event-bus/relay";
 *   const relay = await createRelay({ port: 8080, auth: { secret: process.env.JWT_SECRET } });
 */

export type { AuthorizeHook, AuthorizeUser, RoomAction } from "./auth/authorize.js";
export {
  type CreateTokenOptions,
  createToken,
  parseDuration,
  type TokenClaims,
  type TokenKey,
} from "./auth/create-token.js";
export { createDevToken, type DevTokenOptions } from "./auth/dev-token.js";
export { type RevokeOptions, revokeUserSessions } from "./auth/revocation.js";
export { createRelay, type Relay, type RelayStats } from "./edge/create-relay.js";
export type { RelayLogger } from "./edge/operations/logger.js";
export type { RelayMetrics } from "./edge/operations/metrics.js";
export { installSignalHandlers } from "./edge/operations/shutdown.js";
export {
  DEFAULT_RELAY_LIMITS,
  type RelayAuthOptions,
  type RelayLimits,
  type RelayOptions,
  type RelayPresenceOptions,
} from "./edge/options.js";
