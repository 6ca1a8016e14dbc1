import { DEFAULT_HISTORY } from "../../../relay/brokers/broker.js";
import { MemoryBroker } from "../../../relay/brokers/memory/memory-broker.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import { describeBrokerContract } from "./broker-contract.js";

describeBrokerContract("memory", async () => {
  const hub = new MemoryHub();
  return {
    create: (history) => new MemoryBroker({ hub, history: { ...DEFAULT_HISTORY, ...history } }),
    teardown: async () => {},
  };
});
