import { MemoryBroker } from "../../../relay/brokers/memory/memory-broker.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import { describeGroupSuite } from "./groups-suite.js";

describeGroupSuite("memory", async () => {
  const hub = new MemoryHub();
  return {
    clientConfig: () => ({ broker: new MemoryBroker({ hub }) }),
    rawBroker: () => new MemoryBroker({ hub }),
    teardown: async () => {},
  };
});
