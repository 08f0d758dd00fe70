/** Node topology from each provider's well-known labels: pool, capacity type, instance type, region. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { capacityTypeOf, nodePool, nodeTopology, regionFromZone } from "./node-topology.js";

const node = (labels: Record<string, string>, providerID?: string) => ({
  name: "n1",
  labels,
  ...(providerID ? { providerID } : {}),
});

test("EKS managed node group: pool, SPOT/ON_DEMAND, instance type, region and zone", () => {
  const t = nodeTopology(
    node({
      "eks.amazonaws.com/nodegroup": "workers",
      "eks.amazonaws.com/capacityType": "SPOT",
      "node.kubernetes.io/instance-type": "m5.large",
      "topology.kubernetes.io/region": "us-east-1",
      "topology.kubernetes.io/zone": "us-east-1b",
    }),
  );
  assert.deepEqual(t, {
    instanceType: "m5.large",
    region: "us-east-1",
    zone: "us-east-1b",
    capacityType: "spot",
    capacityTypeFrom: "eks.amazonaws.com/capacityType",
    pool: "workers",
    poolFrom: "eks.amazonaws.com/nodegroup",
    provider: "aws",
  });
  assert.equal(capacityTypeOf({ "eks.amazonaws.com/capacityType": "ON_DEMAND" }).type, "on-demand");
});

test("Karpenter: nodepool (v1) or provisioner-name (v1alpha5), spot/on-demand", () => {
  const t = nodeTopology(node({ "karpenter.sh/nodepool": "general", "karpenter.sh/capacity-type": "spot" }));
  assert.equal(t.pool, "general");
  assert.equal(t.poolFrom, "karpenter.sh/nodepool");
  assert.equal(t.capacityType, "spot");
  assert.equal(t.capacityTypeFrom, "karpenter.sh/capacity-type");
  assert.equal(nodePool(node({ "karpenter.sh/provisioner-name": "old" })), "old");
  assert.equal(capacityTypeOf({ "karpenter.sh/capacity-type": "on-demand" }).type, "on-demand");
});

test("GKE: gke-nodepool, gke-spot and gke-preemptible; a pool without them is on-demand", () => {
  const base = {
    "cloud.google.com/gke-nodepool": "pool-1",
    "beta.kubernetes.io/instance-type": "e2-standard-4",
  };
  const spot = nodeTopology(
    node({ ...base, "cloud.google.com/gke-spot": "true" }, "gce://p/us-central1-a/n1"),
  );
  assert.equal(spot.pool, "pool-1");
  assert.equal(spot.capacityType, "spot");
  assert.equal(spot.capacityTypeFrom, "cloud.google.com/gke-spot");
  assert.equal(spot.instanceType, "e2-standard-4", "the beta instance-type label is read too");
  assert.equal(spot.provider, "gcp");
  const pre = capacityTypeOf({ ...base, "cloud.google.com/gke-preemptible": "true" });
  assert.deepEqual(pre, { type: "spot", from: "cloud.google.com/gke-preemptible" });
  assert.deepEqual(capacityTypeOf(base), { type: "on-demand", from: "cloud.google.com/gke-nodepool" });
});

test("AKS: agentpool (both spellings) and scalesetpriority", () => {
  const t = nodeTopology(
    node({ "kubernetes.azure.com/agentpool": "gpu", "kubernetes.azure.com/scalesetpriority": "spot" }),
  );
  assert.equal(t.pool, "gpu");
  assert.equal(t.capacityType, "spot");
  assert.equal(t.provider, "azure");
  assert.equal(nodePool(node({ agentpool: "nodepool1" })), "nodepool1");
  assert.equal(capacityTypeOf({ agentpool: "nodepool1" }).type, "on-demand");
});

test("no labels: default pool, on-demand assumed; control planes are their own pool", () => {
  const t = nodeTopology(node({}));
  assert.equal(t.pool, "default");
  assert.equal(t.capacityType, "on-demand");
  assert.equal(t.capacityTypeFrom, "assumed");
  assert.equal(t.instanceType, undefined);
  assert.equal(t.provider, undefined);
  assert.equal(nodePool(node({ "node-role.kubernetes.io/control-plane": "" })), "control-plane");
  assert.equal(nodePool({ name: "n", labels: {}, pool: "from-projection" }), "from-projection");
});

test("region from the zone when the region label is missing", () => {
  assert.equal(regionFromZone("us-east-1a"), "us-east-1");
  assert.equal(regionFromZone("us-central1-b"), "us-central1");
  assert.equal(regionFromZone("eastus-2"), "eastus");
  assert.equal(nodeTopology(node({ "topology.kubernetes.io/zone": "eu-west-1c" })).region, "eu-west-1");
});
