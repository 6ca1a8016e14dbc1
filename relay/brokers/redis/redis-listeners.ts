/**
 * The local listeners of a Redis broker: one SubscriptionRegistry for exact channels and one for
 * patterns (one Redis subscription per name, shared by its listeners), and the delivery of a message
 * from a subscriber link to the listeners of its channel or pattern, each isolated from the others.
 */
import type { MessageListener, PatternListener } from "../broker.js";
import { SubscriptionRegistry } from "../subscription-registry.js";

export interface ListenerHooks {
  subscribeChannel(channel: string): Promise<void>;
  unsubscribeChannel(channel: string): Promise<void>;
  subscribePattern(pattern: string): Promise<void>;
  unsubscribePattern(pattern: string): Promise<void>;
  reportError(error: unknown): void;
}

export class BrokerListeners {
  readonly channels: SubscriptionRegistry<MessageListener>;
  readonly patterns: SubscriptionRegistry<PatternListener>;

  constructor(private readonly hooks: ListenerHooks) {
    this.channels = new SubscriptionRegistry({
      subscribe: (channel) => hooks.subscribeChannel(channel),
      unsubscribe: (channel) => hooks.unsubscribeChannel(channel),
    });
    this.patterns = new SubscriptionRegistry({
      subscribe: (pattern) => hooks.subscribePattern(pattern),
      unsubscribe: (pattern) => hooks.unsubscribePattern(pattern),
    });
  }

  deliver(channel: string, message: string, pattern: string | undefined): void {
    const report = (error: unknown) => this.hooks.reportError(error);
    if (pattern === undefined) this.channels.forEach(channel, (l) => l(channel, message), report);
    else this.patterns.forEach(pattern, (l) => l(channel, message, pattern), report);
  }

  names(): { channels: string[]; patterns: string[] } {
    return { channels: this.channels.names(), patterns: this.patterns.names() };
  }

  clear(): void {
    this.channels.clear();
    this.patterns.clear();
  }
}
