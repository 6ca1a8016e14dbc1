/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): secrets are `whsec_` followed by
 * base64 key bytes; the signed content is `<webhook-id>.<webhook-timestamp>.<body>`; the
 * `webhook-signature` header lists `v1,<base64 HMAC-SHA256>` once per active secret, separated by
 * spaces, so a receiver that knows either the old or the new secret verifies during a rotation.
 */
import { createHmac } from "node:crypto";
import { EventBusError } from "../../protocol/errors.js";

const PREFIX = "whsec_";
/** Key bytes: Standard Webhooks asks for 24–64. */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/** The key bytes of a `whsec_…` secret; CONFIG_INVALID for anything else. */
export function secretKey(secret: string, where: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : "";
  const key = Buffer.from(encoded, "base64");
  if (
    encoded === "" ||
    !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ||
    key.length < MIN_KEY_BYTES ||
    key.length > MAX_KEY_BYTES
  ) {
    throw new EventBusError(
      "CONFIG_INVALID",
      `${where}: a secret must be "whsec_" followed by ${MIN_KEY_BYTES}–${MAX_KEY_BYTES} base64-encoded bytes.`,
    );
  }
  return key;
}

export interface SignedHeaders {
  readonly "webhook-id": string;
  readonly "webhook-timestamp": string;
  readonly "webhook-signature": string;
}

/** The three Standard Webhooks headers for one request; `timestampSeconds` is Unix seconds. */
export function signWebhook(
  keys: readonly Buffer[],
  id: string,
  timestampSeconds: number,
  body: string,
): SignedHeaders {
  const timestamp = String(timestampSeconds);
  const content = `${id}.${timestamp}.${body}`;
  const signature = keys
    .map((key) => `v1,${createHmac("sha256", key).update(content).digest("base64")}`)
    .join(" ");
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature };
}
