/**
 * The parts of an EventBusClient and how they are wired: stats, middleware, the dispatcher that
 * runs handlers, dead letters, live subscriptions, consumer groups, the publisher and the event
 * store. client.ts keeps only the public API over them.
 */
import { deadLetterKey } from "../../protocol/channels.js";
import type { Broker } from "../brokers/broker.js";
import type { Settings } from "./config.js";
import { DeadLetters } from "./dead-letters.js";
import { Dispatcher } from "./dispatcher.js";
import { resolveGroupDefaults } from "./groups/group-options.js";
import { GroupSubscriptions } from "./groups/group-subscriptions.js";
import { MiddlewareChain } from "./middleware.js";
import { Publisher } from "./publisher.js";
import { StatsTracker } from "./stats.js";
import { StorePart } from "./store-part.js";
import { SubscriptionTable } from "./subscriptions.js";
import type { EventBusConfig } from "./types.js";

export interface ClientParts {
  readonly stats: StatsTracker;
  readonly middleware: MiddlewareChain;
  readonly dispatcher: Dispatcher;
  readonly deadLetters: DeadLetters;
  readonly table: SubscriptionTable;
  readonly groups: GroupSubscriptions;
  readonly publisher: Publisher;
  readonly store: StorePart;
}

export function createParts(config: EventBusConfig, settings: Settings, broker: () => Broker): ClientParts {
  const asyncBroker = async () => broker();
  const stats = new StatsTracker(() => settings.clock.now());
  const middleware = new MiddlewareChain();
  const parts: { -readonly [K in keyof ClientParts]?: ClientParts[K] } = { stats, middleware };
  const deadLetters = new DeadLetters(
    asyncBroker,
    deadLetterKey(settings.names.prefix, settings.serviceName),
    settings.deadLetterMax,
    async (letter) => {
      const handlers = [
        ...table.handlersFor(letter.subscriptionId, letter.pattern),
        ...groups.handlersFor(letter.subscriptionId, letter.pattern),
      ];
      const succeeded = await dispatcher.replay(handlers, letter.event, letter.channel);
      return { handlers: handlers.length, succeeded };
    },
  );
  const dispatcher = new Dispatcher({
    limits: settings.limits,
    middleware,
    stats,
    clock: settings.clock,
    logger: settings.logger,
    deadLetter: (record) => deadLetters.add(record),
  });
  const table = new SubscriptionTable(asyncBroker, settings.names, dispatcher);
  const groups = new GroupSubscriptions({
    broker: asyncBroker,
    dispatcher,
    logger: settings.logger,
    defaults: resolveGroupDefaults(config.groups),
    clock: settings.clock,
  });
  const store = new StorePart(config, settings, asyncBroker);
  const publisher = new Publisher({
    serviceName: settings.serviceName,
    names: settings.names,
    limits: settings.limits,
    middleware,
    stats,
    batching: settings.batching,
    clock: settings.clock,
    broker,
    ...(store.recorder && { recorder: store.recorder }),
  });
  return { ...parts, stats, middleware, dispatcher, deadLetters, table, groups, publisher, store };
}
