/**
 * The auth folder (relay/auth/): who a token says you are and what it lets you do — token
 * verification (this file), development tokens (dev-token.ts), the room rules of the `rooms` and
 * `publish` claims plus the authorize hook (authorize.ts: where a join or a publish is
 * authorised), and session revocation (revocation.ts). Imports only the contract, common/ and the
 * Broker interface; the relay, the backend library and the CLI use it.
 *
 * Token verification with jose: an algorithm allow-list fixed by the kind of key (a secret never
 * verifies an RS/ES token and a public key never verifies an HS token, so algorithm confusion is
 * impossible; `alg: none` is never accepted), exp / nbf with a small clock tolerance, iss and aud.
 * The claims are then checked against the contract (protocol/claims.ts).
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import type { EventBusClaims } from "../../protocol/claims.js";
import { EventBusError } from "../../protocol/errors.js";
import { MAX_PATTERN_LENGTH, utf8ByteLength } from "../../protocol/limits.js";
import { isRoleName, isUserId } from "../../protocol/names.js";

export interface RelayAuthOptions {
  /** Shared secret for HS256/HS384/HS512. */
  readonly secret?: string;
  /** PEM public key (SPKI) or X.509 certificate for RS*, PS*, ES* or EdDSA tokens. */
  readonly publicKey?: string;
  /** URL of a JSON Web Key Set (fetched and cached by jose). */
  readonly jwksUrl?: string;
  /** Algorithm allow-list. Default: the HS family for a secret, the key's family otherwise. */
  readonly algorithms?: readonly string[];
  readonly issuer?: string | readonly string[];
  readonly audience?: string | readonly string[];
  /** Allowed clock skew for exp/nbf, in seconds. Default 5. */
  readonly clockToleranceSec?: number;
  /** Refuse tokens without `exp`. Default true. */
  readonly requireExpiration?: boolean;
}

/** A configuration error (CONFIG_INVALID) naming the option and the fix. */
function configError(problem: string): EventBusError {
  return new EventBusError("CONFIG_INVALID", problem);
}

export interface VerifiedToken {
  readonly claims: EventBusClaims;
  readonly userId: string;
  readonly roles: readonly string[];
  /** Expiry in epoch ms; null when the token has no `exp`. */
  readonly expiresAt: number | null;
  /** `iat` in epoch ms; null when the token has none. */
  readonly issuedAt: number | null;
}

export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

export const MAX_TOKEN_LENGTH = 8192;
const MAX_GLOBS = 100;
const MAX_ROLES = 32;
const MAX_INFO_BYTES = 1024;

const HMAC = ["HS256", "HS384", "HS512"];
const RSA = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
const EC: Readonly<Record<string, string>> = { prime256v1: "ES256", secp384r1: "ES384", secp521r1: "ES512" };
const OKP = ["EdDSA", "Ed25519"];
const ASYMMETRIC = [...RSA, ...Object.values(EC), ...OKP];

type VerifyKey = Uint8Array | KeyObject | ReturnType<typeof createRemoteJWKSet>;

/** Builds the verifier once (imports the key, sets up the JWKS cache); throws CONFIG_INVALID. */
export function createTokenVerifier(options: RelayAuthOptions): TokenVerifier {
  const { key, family } = importKey(options);
  const algorithms = checkAlgorithms(options.algorithms, family);
  const verifyOptions = {
    algorithms,
    clockTolerance: options.clockToleranceSec ?? 5,
    requiredClaims: options.requireExpiration === false ? ["sub"] : ["sub", "exp"],
    ...(options.issuer !== undefined && { issuer: toList(options.issuer) }),
    ...(options.audience !== undefined && { audience: toList(options.audience) }),
  };
  return async (token) => {
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new EventBusError("TOKEN_INVALID", `The token is longer than ${MAX_TOKEN_LENGTH} characters.`);
    }
    try {
      // Two overloads of jwtVerify: key material, or a key-set function (JWKS).
      const { payload } =
        key instanceof Uint8Array || isKeyObject(key)
          ? await jwtVerify(token, key, verifyOptions)
          : await jwtVerify(token, key, verifyOptions);
      return checkClaims(payload);
    } catch (error) {
      throw tokenError(error);
    }
  };
}

function isKeyObject(key: VerifyKey): key is KeyObject {
  return typeof key === "object" && "asymmetricKeyType" in key;
}

function importKey(options: RelayAuthOptions): { key: VerifyKey; family: readonly string[] } {
  if (options.secret) return { key: new TextEncoder().encode(options.secret), family: HMAC };
  if (options.publicKey) {
    let key: KeyObject;
    try {
      key = createPublicKey(options.publicKey);
    } catch {
      throw configError("auth.publicKey (JWT_PUBLIC_KEY) is not a PEM public key or certificate.");
    }
    return { key, family: familyOf(key) };
  }
  if (options.jwksUrl) {
    let url: URL;
    try {
      url = new URL(options.jwksUrl);
    } catch {
      throw configError(
        `auth.jwksUrl (JWKS_URL) is not a URL; use https://issuer.example/.well-known/jwks.json.`,
      );
    }
    return {
      key: createRemoteJWKSet(url, { timeoutDuration: 5000, cooldownDuration: 30_000 }),
      family: ASYMMETRIC,
    };
  }
  throw configError("auth needs a key: set JWT_SECRET, JWT_PUBLIC_KEY or JWKS_URL.");
}

function familyOf(key: KeyObject): readonly string[] {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return RSA;
    case "rsa-pss":
      return RSA.filter((a) => a.startsWith("PS"));
    case "ec": {
      const alg = EC[key.asymmetricKeyDetails?.namedCurve ?? ""];
      if (alg) return [alg];
      break;
    }
    case "ed25519":
      return OKP;
  }
  throw configError(
    `auth.publicKey is a ${key.asymmetricKeyType ?? "unknown"} key; use RSA, EC (P-256/384/521) or Ed25519.`,
  );
}

function checkAlgorithms(requested: readonly string[] | undefined, family: readonly string[]): string[] {
  if (!requested || requested.length === 0) return [...family];
  for (const alg of requested) {
    if (!family.includes(alg)) {
      throw configError(
        `JWT algorithm ${JSON.stringify(alg)} does not fit the configured key; allowed here: ${family.join(", ")}.`,
      );
    }
  }
  return [...requested];
}

function toList(value: string | readonly string[]): string[] {
  return typeof value === "string" ? [value] : [...value];
}

function tokenError(error: unknown): EventBusError {
  if (error instanceof EventBusError) return error;
  if (error instanceof errors.JWTExpired) return new EventBusError("TOKEN_EXPIRED");
  if (error instanceof errors.JWKSTimeout) {
    return new EventBusError("TIMEOUT", "The JWKS endpoint did not answer in time.");
  }
  if (error instanceof errors.JOSEError) {
    return new EventBusError("TOKEN_INVALID", `The token could not be verified (${error.message}).`);
  }
  return new EventBusError("TOKEN_INVALID", "The token could not be verified.");
}

function invalidClaim(name: string, problem: string): EventBusError {
  return new EventBusError("TOKEN_INVALID", `The token's \`${name}\` claim ${problem}.`);
}

function checkGlobs(payload: JWTPayload, name: "rooms" | "publish"): readonly string[] | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length > MAX_GLOBS ||
    !value.every((g) => typeof g === "string" && g.length > 0 && g.length <= MAX_PATTERN_LENGTH)
  ) {
    throw invalidClaim(name, `must be a list of at most ${MAX_GLOBS} room-name globs`);
  }
  return value as string[];
}

function checkRoles(payload: JWTPayload): readonly string[] {
  const value = payload.roles;
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_ROLES || !value.every(isRoleName)) {
    throw invalidClaim("roles", `must be a list of at most ${MAX_ROLES} role names`);
  }
  return [...new Set(value as string[])];
}

function checkInfo(payload: JWTPayload): Readonly<Record<string, unknown>> | undefined {
  const value = payload.info;
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidClaim("info", "must be an object");
  }
  if (utf8ByteLength(JSON.stringify(value)) > MAX_INFO_BYTES) {
    throw invalidClaim("info", `must be at most ${MAX_INFO_BYTES} bytes of JSON`);
  }
  return value as Record<string, unknown>;
}

function checkClaims(payload: JWTPayload): VerifiedToken {
  const sub = payload.sub;
  if (!isUserId(sub)) throw invalidClaim("sub", "is not a valid user id");
  const rooms = checkGlobs(payload, "rooms");
  const publish = checkGlobs(payload, "publish");
  const roles = checkRoles(payload);
  const info = checkInfo(payload);
  const claims: EventBusClaims = {
    sub,
    roles,
    ...(rooms && { rooms }),
    ...(publish && { publish }),
    ...(info && { info }),
    ...(payload.exp !== undefined && { exp: payload.exp }),
    ...(payload.iat !== undefined && { iat: payload.iat }),
  };
  return {
    claims,
    userId: sub,
    roles,
    expiresAt: payload.exp === undefined ? null : payload.exp * 1000,
    issuedAt: payload.iat === undefined ? null : payload.iat * 1000,
  };
}
