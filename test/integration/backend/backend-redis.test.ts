import { RedisBroker } from "../../../relay/brokers/redis/redis-broker.js";
import { startRedis } from "../../harness/redis-server.js";
import { describeBackendSuite } from "./backend-suite.js";

describeBackendSuite("redis", async () => {
  const redis = await startRedis();
  return {
    clientConfig: () => ({ redis: redis.url }),
    rawBroker: (prefix) => new RedisBroker({ connection: redis.url, prefix }),
    teardown: () => redis.stop(),
  };
});
