/**
 * `webhooks.json`, the configuration file of `event-bus webhooks`: the event types, the endpoints
 * and any delivery option of createWebhookDispatcher (docs/backend.md, "Outbound webhooks").
 * A secret written `env:NAME` is read from the environment variable NAME, so the file itself need
 * not hold secrets. Every problem is a CONFIG_INVALID naming the file and the setting.
 */
import { readFileSync } from "node:fs";
import { EventBusError } from "../../protocol/errors.js";
import type { GroupDefaults } from "../backend/groups/group-options.js";
import type { WebhookDeliveryOptions, WebhookEndpointConfig } from "../webhooks/webhook-options.js";

export interface WebhooksFile extends Partial<WebhookDeliveryOptions> {
  readonly eventTypes: readonly string[];
  readonly endpoints: readonly WebhookEndpointConfig[];
  readonly group?: string;
  /** A Redis URL for the job store. Default EVENT_BUS_REDIS_URL. */
  readonly store?: string;
  /** The service name the dispatcher's bus client uses. Default "event-bus-webhooks". */
  readonly serviceName?: string;
  /** Consumer-group settings of the dispatcher's bus client (claimIdleMs, pollIntervalMs, …). */
  readonly groups?: Partial<GroupDefaults>;
}

const KNOWN = new Set([
  "eventTypes",
  "endpoints",
  "group",
  "store",
  "serviceName",
  "retrySchedule",
  "jitter",
  "maxRetryAfterMs",
  "timeoutMs",
  "maxResponseBytes",
  "concurrency",
  "pollIntervalMs",
  "breaker",
  "allowHttp",
  "allowNetworks",
  "leaseMs",
  "groups",
]);

export function readWebhooksFile(path: string, env: NodeJS.ProcessEnv = process.env): WebhooksFile {
  const fail = (problem: string) => new EventBusError("CONFIG_INVALID", `${path}: ${problem}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw fail(`cannot be read as JSON (${reason}).`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw fail("must hold a JSON object.");
  const unknown = Object.keys(parsed).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw fail(`unknown setting ${unknown.map((k) => `"${k}"`).join(", ")}.`);
  const file = parsed as WebhooksFile;
  if (!Array.isArray(file.endpoints)) throw fail("endpoints must be a list.");
  const endpoints = file.endpoints.map((endpoint, i) => {
    if (typeof endpoint !== "object" || endpoint === null) throw fail(`endpoints[${i}] must be an object.`);
    const secrets = Array.isArray(endpoint.secrets) ? endpoint.secrets : [];
    return {
      ...endpoint,
      secrets: secrets.map((secret: unknown, j: number) => {
        if (typeof secret !== "string") throw fail(`endpoints[${i}].secrets[${j}] must be a string.`);
        if (!secret.startsWith("env:")) return secret;
        const value = env[secret.slice(4)];
        if (!value) throw fail(`endpoints[${i}].secrets[${j}] names ${secret.slice(4)}, which is not set.`);
        return value;
      }),
    };
  });
  return { ...file, endpoints };
}
