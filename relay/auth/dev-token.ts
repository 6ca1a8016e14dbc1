/**
 * Development tokens: HS256 JWTs with the claims the relay understands. For tests, the playground
 * and `event-bus token`. Production tokens come from your own auth service (any language), signed
 * with a key the relay trusts; the claims are documented in protocol/claims.ts.
 */
import { SignJWT } from "jose";
import type { EventBusClaims } from "../../protocol/claims.js";
import { EventBusError } from "../../protocol/errors.js";
import { assertUserId } from "../../protocol/names.js";

export interface DevTokenOptions {
  readonly sub: string;
  readonly secret: string;
  readonly rooms?: readonly string[];
  readonly publish?: readonly string[];
  readonly roles?: readonly string[];
  readonly info?: Readonly<Record<string, unknown>>;
  /** Lifetime in seconds, or a duration such as "15m", "1h", "7d". Default 1 hour. */
  readonly ttl?: number | string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Override "now" (seconds since epoch) for tokens valid in the past or future. */
  readonly now?: number;
  readonly notBefore?: number;
}

export async function createDevToken(options: DevTokenOptions): Promise<string> {
  assertUserId(options.sub);
  if (!options.secret) throw new EventBusError("INVALID_OPTIONS", "createDevToken needs a `secret`.");
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const claims: Omit<EventBusClaims, "sub" | "exp" | "iat" | "nbf" | "iss" | "aud"> = {
    ...(options.rooms && { rooms: options.rooms }),
    ...(options.publish && { publish: options.publish }),
    ...(options.roles && { roles: options.roles }),
    ...(options.info && { info: options.info }),
  };
  let jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + parseDuration(options.ttl ?? 3600));
  if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "90" → 90, "15m" → 900, "1h" → 3600, "7d" → 604800 (seconds). */
export function parseDuration(value: number | string): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return Math.floor(value);
  const match = typeof value === "string" ? /^(\d+)\s*([smhd]?)$/.exec(value.trim()) : null;
  const amount = match ? Number(match[1]) * (UNITS[match[2] || "s"] ?? 1) : Number.NaN;
  if (!Number.isFinite(amount) || amount <= 0) {
    throw new EventBusError(
      "INVALID_OPTIONS",
      `Duration ${JSON.stringify(value)} is not valid; use seconds or a number with s, m, h or d (e.g. "15m").`,
    );
  }
  return amount;
}
