/**
 * Development tokens: HS256 JWTs for tests, the playground and `event-bus token`, in one call with
 * the secret beside the claims. They are `createToken` tokens (create-token.ts): the same claims,
 * checked the same way. Production tokens come from your backend's token endpoint (createToken
 * with the relay's key) or your own auth service in any language.
 */
import { createToken } from "./create-token.js";

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

export function createDevToken(options: DevTokenOptions): Promise<string> {
  const { sub, secret, rooms, publish, roles, info, ...rest } = options;
  const claims = {
    sub,
    ...(rooms && { rooms }),
    ...(publish && { publish }),
    ...(roles && { roles }),
    ...(info && { info }),
  };
  return createToken(claims, secret, rest);
}
