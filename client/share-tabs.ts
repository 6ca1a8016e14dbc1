/**
 * @shared-infra/event-bus/client/tabs — one connection for all tabs of the origin (docs/client.md,
 * "One connection for all tabs"):
 *
 *   createEventBus({ url, getToken, shareAcrossTabs: shareTabs({ key: userId }) })
 *
 * Opt-in: an app that does not import it does not carry it. The leader election and the hub
 * (client/tabs/) are loaded on demand the first time a sharing bus connects.
 */
import { EventBusError } from "../protocol/errors.js";
import { checkOptionKeys, SHARE_TABS_KEYS } from "./option-keys.js";
import { sharedTransport } from "./tab-sharing.js";
import type { ShareAcrossTabsOptions, ShareTabs } from "./types.js";

/**
 * Version of what tabs say to each other (client/tabs/messages.ts), part of the group key: tabs
 * still running an older SDK after a deploy form their own group instead of misreading each other.
 */
const TABS_PROTOCOL = 2;

/** Pass as createEventBus's `shareAcrossTabs`; `key` separates groups of tabs (e.g. per signed-in user). */
export function shareTabs(options: ShareAcrossTabsOptions = {}): ShareTabs {
  checkOptionKeys("shareTabs options", options, SHARE_TABS_KEYS);
  const key: unknown = (options as ShareAcrossTabsOptions | null)?.key;
  if (typeof options !== "object" || options === null || (key !== undefined && typeof key !== "string")) {
    throw new EventBusError("INVALID_OPTIONS", "shareTabs takes { key?: string }.", {
      details: { option: "shareAcrossTabs" },
    });
  }
  return Object.freeze({
    name: "tabs" as const,
    group: (url: string) => `@shared-infra/event-bus/tabs/${TABS_PROTOCOL} ${url} ${key ?? ""}`,
    share: sharedTransport,
  });
}

export type { ShareAcrossTabsOptions, ShareTabs } from "./types.js";
