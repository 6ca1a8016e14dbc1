/**
 * Minting the tokens the relay accepts, for a backend's token endpoint (what the browser's
 * `getToken()` fetches). The claims are the contract's (protocol/claims.ts) and are checked with
 * the relay's own rules before signing, so a token this mints is never refused for its shape.
 *
 *   const token = await createToken({ sub: user.id, rooms: ["photo:*"] }, process.env.JWT_SECRET, { ttl: "15m" });
 *
 * A secret signs HS256 (the relay's JWT_SECRET); a PKCS#8 PEM private key or a KeyObject signs
 * with `options.algorithm` (RS256, ES256, EdDSA, …) for relays that hold the public key or a JWKS.
 */
import { importPKCS8, type KeyInput, SignJWT } from "jose";
import { claimProblem, type EventBusClaims } from "../../protocol/claims.js";
import { EventBusError } from "../../protocol/errors.js";
import { assertUserId, roomGlobProblem } from "../../protocol/names.js";

/** The claims a token carries besides its times, issuer and audience. */
export type TokenClaims = Pick<EventBusClaims, "sub" | "rooms" | "publish" | "roles" | "info">;

/** A secret (string or bytes), a PKCS#8 PEM private key, or a private KeyObject / CryptoKey. */
export type TokenKey = string | KeyInput;

export interface CreateTokenOptions {
  /** Lifetime in seconds, or a duration such as "15m", "1h", "7d". Default 1 hour. */
  readonly ttl?: number | string;
  /** `iss`: set it when the relay requires one (JWT_ISSUER). */
  readonly issuer?: string;
  /** `aud`: set it when the relay requires one (JWT_AUDIENCE). */
  readonly audience?: string | readonly string[];
  /** Default HS256 for a secret; required for a private key (RS256, PS256, ES256, EdDSA, …). */
  readonly algorithm?: string;
  /** `kid` header, for relays that verify with a JWKS. */
  readonly keyId?: string;
  /** "Now" in seconds since the epoch (for tokens valid in the past or the future). Default: the clock. */
  readonly now?: number;
  /** `nbf`, seconds since the epoch. */
  readonly notBefore?: number;
}

const HMAC = ["HS256", "HS384", "HS512"];

/** Signs a JWT the relay accepts; throws INVALID_OPTIONS (or INVALID_USER) naming what is wrong. */
export async function createToken(
  claims: TokenClaims,
  key: TokenKey,
  options: CreateTokenOptions = {},
): Promise<string> {
  checkClaims(claims);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const ttl = parseDuration(options.ttl ?? 3600, "createToken: ttl");
  const { signingKey, algorithm } = await signingKeyOf(key, options.algorithm);
  const { sub, ...rest } = claims;
  let jwt = new SignJWT({ ...rest })
    .setProtectedHeader({ alg: algorithm, typ: "JWT", ...(options.keyId && { kid: options.keyId }) })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl);
  if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(toList(options.audience));
  return jwt.sign(signingKey);
}

function checkClaims(claims: TokenClaims): void {
  assertUserId(claims.sub);
  const problem = claimProblem(claims as unknown as Readonly<Record<string, unknown>>);
  if (problem) throw invalid(`claims.${problem.claim} ${problem.problem}.`);
  for (const claim of ["rooms", "publish"] as const) {
    for (const glob of claims[claim] ?? []) {
      const why = roomGlobProblem(glob);
      if (why) throw invalid(`claims.${claim} entry ${JSON.stringify(glob)} can never match a room: ${why}.`);
    }
  }
}

async function signingKeyOf(
  key: TokenKey,
  requested: string | undefined,
): Promise<{ signingKey: KeyInput; algorithm: string }> {
  if (typeof key === "string" && key.trimStart().startsWith("-----BEGIN")) {
    const algorithm = asymmetric(requested);
    try {
      return { signingKey: await importPKCS8(key, algorithm), algorithm };
    } catch (error) {
      throw invalid(
        `the PEM key is not a PKCS#8 private key for ${algorithm} (${(error as Error).message}).`,
      );
    }
  }
  if (typeof key === "string" || key instanceof Uint8Array) {
    const secret = typeof key === "string" ? new TextEncoder().encode(key) : key;
    if (secret.length === 0) {
      throw invalid("the key is empty; pass the relay's JWT_SECRET, or a private key with `algorithm`.");
    }
    const algorithm = requested ?? "HS256";
    if (!HMAC.includes(algorithm)) {
      throw invalid(`a secret signs only ${HMAC.join(", ")}, not ${algorithm}; pass a private key for it.`);
    }
    return { signingKey: secret, algorithm };
  }
  return { signingKey: key as KeyInput, algorithm: asymmetric(requested) };
}

function asymmetric(requested: string | undefined): string {
  if (requested === undefined || HMAC.includes(requested)) {
    throw invalid(
      "a private key needs `algorithm` (RS256, PS256, ES256, EdDSA, …) matching the relay's key.",
    );
  }
  return requested;
}

function toList(value: string | readonly string[]): string | string[] {
  return typeof value === "string" ? value : [...value];
}

function invalid(problem: string): EventBusError {
  const text = problem.startsWith("createToken") ? problem : `createToken: ${problem}`;
  return new EventBusError("INVALID_OPTIONS", text, {
    hint: "See the claims and options of createToken in docs/client.md (Issuing tokens).",
  });
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "90" → 90, "15m" → 900, "1h" → 3600, "7d" → 604800 (seconds); `name` says which setting it was. */
export function parseDuration(value: number | string, name = "Duration"): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return Math.floor(value);
  const match = typeof value === "string" ? /^(\d+)\s*([smhd]?)$/.exec(value.trim()) : null;
  const amount = match ? Number(match[1]) * (UNITS[match[2] || "s"] ?? 1) : Number.NaN;
  if (!Number.isFinite(amount) || amount <= 0) {
    throw new EventBusError("INVALID_OPTIONS", `${name} ${JSON.stringify(value)} is not a duration.`, {
      hint: "Use whole seconds, or a whole number with s, m, h or d: 90, 15m, 1h, 7d.",
    });
  }
  return amount;
}
