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
import { claimProblem, type EventBusClaims } from "../../protocol/claims.js";
import { EventBusError } from "../../protocol/errors.js";
import { type FastPathOptions, verifyHmacFast } from "./hmac-fast-path.js";
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
  /**
   * Development only: accept an HS secret shorter than 32 bytes (MIN_SECRET_BYTES). Such a secret
   * can be brute-forced offline from any one token; never set this in production.
   */
  readonly dangerouslyAllowShortSecret?: boolean;
}

/** The shortest HS secret accepted: 32 bytes, the output size of SHA-256 (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

/** Refuses an HS secret shorter than MIN_SECRET_BYTES unless the development override is set. */
export function checkSecretStrength(options: RelayAuthOptions): void {
  const secret = options.secret;
  if (!secret || options.dangerouslyAllowShortSecret === true) return;
  const bytes = new TextEncoder().encode(secret).length;
  if (bytes >= MIN_SECRET_BYTES) return;
  throw configError(
    `auth.secret (JWT_SECRET) is ${bytes} bytes; use at least ${MIN_SECRET_BYTES} random bytes (e.g. \`openssl rand -hex 32\`). ` +
      "For a local experiment only, set auth.dangerouslyAllowShortSecret (EVENT_BUS_DANGEROUSLY_ALLOW_SHORT_SECRET=1).",
  );
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
  // HS tokens: node:crypto's synchronous HMAC first (hmac-fast-path.ts); jose for the rest.
  const fast: FastPathOptions | undefined =
    key instanceof Uint8Array ? { ...verifyOptions, secret: key } : undefined;
  return async (token) => {
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new EventBusError("TOKEN_INVALID", `The token is longer than ${MAX_TOKEN_LENGTH} characters.`);
    }
    const accepted = fast && verifyHmacFast(token, fast);
    if (accepted) return checkClaims(accepted);
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

function checkClaims(payload: JWTPayload): VerifiedToken {
  const problem = claimProblem(payload);
  if (problem) {
    throw new EventBusError("TOKEN_INVALID", `The token's \`${problem.claim}\` claim ${problem.problem}.`);
  }
  const sub = payload.sub as string;
  const roles = [...new Set((payload.roles as string[] | undefined) ?? [])];
  const rooms = payload.rooms as readonly string[] | undefined;
  const publish = payload.publish as readonly string[] | undefined;
  const info = payload.info as Readonly<Record<string, unknown>> | undefined;
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
