import { RedisBroker } from "../../../relay/brokers/redis/redis-broker.js";
import { startRedis } from "../../harness/redis-server.js";
import { describeGroupSuite } from "./groups-suite.js";

describeGroupSuite("redis", async () => {
  const redis = await startRedis();
  return {
    clientConfig: () => ({ redis: redis.url }),
    rawBroker: (prefix) => new RedisBroker({ connection: redis.url, prefix }),
    teardown: () => redis.stop(),
  };
});
