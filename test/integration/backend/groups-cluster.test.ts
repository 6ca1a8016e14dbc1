import { ClusterBroker } from "../../../relay/brokers/redis/cluster-broker.js";
import { startRedisCluster } from "../../harness/redis-cluster.js";
import { describeGroupSuite } from "./groups-suite.js";

describeGroupSuite("a 3-node Redis Cluster", async () => {
  const cluster = await startRedisCluster();
  return {
    clientConfig: () => ({ cluster: cluster.startupNodes }),
    rawBroker: (prefix) => new ClusterBroker({ nodes: cluster.startupNodes, prefix }),
    teardown: () => cluster.stop(),
  };
});
