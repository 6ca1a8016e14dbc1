import { MemoryBroker } from "../../../relay/brokers/memory/memory-broker.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import { describeBackendSuite } from "./backend-suite.js";

describeBackendSuite("memory", async () => {
  const hub = new MemoryHub();
  return {
    clientConfig: () => ({ broker: new MemoryBroker({ hub }) }),
    rawBroker: () => new MemoryBroker({ hub }),
    teardown: async () => {},
  };
});
