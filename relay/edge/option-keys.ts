/**
 * The keys `createRelay` accepts, listed once per options type (the compiler checks each list
 * against its type; the limits' keys come from the limits table, limit-specs.ts), and the check
 * that refuses any other key with INVALID_OPTIONS naming it and the closest valid one.
 */
import { findUnknownOption, type OptionKeys, optionKeys } from "../../common/known-keys.js";
import { EventBusError } from "../../protocol/errors.js";
import type { RelayAuthOptions } from "../auth/verify-token.js";
import { LIMIT_KEYS } from "./limit-specs.js";
import type { RelayHeartbeat, RelayMetricsOptions, RelayOptions, RelayPresenceOptions } from "./options.js";

const AUTH_KEYS = optionKeys<RelayAuthOptions>({
  secret: true,
  publicKey: true,
  jwksUrl: true,
  algorithms: true,
  issuer: true,
  audience: true,
  clockToleranceSec: true,
  requireExpiration: true,
  dangerouslyAllowShortSecret: true,
});

export const RELAY_OPTION_KEYS: OptionKeys = optionKeys<RelayOptions>({
  port: true,
  host: true,
  broker: true,
  prefix: true,
  auth: AUTH_KEYS,
  authorize: true,
  corsOrigins: true,
  longPolling: true,
  trustProxy: true,
  recoveryPageSize: true,
  directFanout: true,
  subscriptionLingerMs: true,
  latestOnly: true,
  latestOnlyBehindBytes: true,
  presence: optionKeys<RelayPresenceOptions>({ ttlMs: true, refreshMs: true }),
  limits: { keys: LIMIT_KEYS, nested: {}, replaced: {} },
  shutdownTimeoutMs: true,
  logger: true,
  logLevel: true,
  processMetrics: true,
  metrics: optionKeys<RelayMetricsOptions>({ port: true, host: true, token: true }),
  heartbeat: optionKeys<RelayHeartbeat>({ intervalMs: true, timeoutMs: true }),
  clock: true,
});

/** Throws INVALID_OPTIONS for the first key of createRelay's options that RelayOptions does not declare. */
export function checkRelayOptionKeys(options: unknown): void {
  const unknown = findUnknownOption("createRelay options", options, RELAY_OPTION_KEYS);
  if (unknown) throw new EventBusError("INVALID_OPTIONS", unknown.problem, unknown);
}
