import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ClusterStateBuilder } from "./builder.js";
import { readInputs } from "../snapshot/read.js";
import { KINDS } from "./kinds.js";
import { PROJECTORS } from "./project/index.js";
import type { ClusterState } from "./cluster-state.js";
import { stripObject } from "./raw.js";
import { fromLabelSelector, fromMapSelector } from "./selector.js";

const FIXTURE = fileURLToPath(new URL("../../test/fixtures/state/small-cluster.yaml", import.meta.url));

async function load(): Promise<ClusterState> {
  const b = new ClusterStateBuilder({
    source: "manifests",
    sourceDetail: "test",
    collectedAt: Date.parse("2026-11-20T12:00:00Z"),
  });
  await readInputs([FIXTURE], (o) => b.add(o));
  return b.build({ complete: false });
}

test("every catalogued kind has a projector and vice versa", () => {
  assert.deepEqual(KINDS.map((k) => k.kind).sort(), Object.keys(PROJECTORS).sort());
});

test("projections are typed and compact: quantities as numbers, secrets without data", async () => {
  const s = await load();
  const pod = s.get("Pod", "shop", "web-7d9f-a")!;
  assert.equal(pod.containers[0]!.requests.cpu, 100);
  assert.equal(pod.containers[0]!.limits.memory, 256 * 1024 * 1024);
  assert.equal(pod.containers[0]!.readiness?.type, "http");
  assert.equal(pod.containers[0]!.liveness, undefined);
  assert.deepEqual(pod.containers[0]!.envFromSecretKeys, ["DB_PASSWORD"]);
  assert.equal(pod.statuses[0]!.lastExitCode, 137);
  assert.equal(pod.ready, true);
  assert.equal(pod.readyAt, Date.parse("2026-11-20T10:00:20Z"));
  const secret = s.get("Secret", "shop", "db")!;
  assert.equal(secret.type, "Opaque");
  assert.equal(JSON.stringify(secret).includes("c2VjcmV0"), false);
  const node = s.get("Node", "", "node-a")!;
  assert.equal(node.allocatable.cpu, 1930);
  assert.equal(node.capacityType, "spot");
  assert.equal(node.pool, "general");
  assert.equal(node.zone, "eu-west-1a");
});

test("managedFields and last-applied are dropped, managed apiVersions kept", async () => {
  const s = await load();
  const d = s.get("Deployment", "shop", "web")!;
  assert.equal(d.annotations["kubectl.kubernetes.io/last-applied-configuration"], undefined);
  assert.equal(d.annotations["deployment.kubernetes.io/revision"], "3");
  assert.deepEqual(d.managedApiVersions, ["apps/v1", "extensions/v1beta1"]);
  const raw = {
    kind: "X",
    metadata: {
      managedFields: [{ apiVersion: "v1" }],
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
    },
  };
  stripObject(raw);
  assert.deepEqual(raw.metadata, { managedApiVersions: ["v1"] });
});

test("owner chains: pod -> ReplicaSet -> Deployment, pod -> Job -> CronJob", async () => {
  const s = await load();
  const pod = s.get("Pod", "shop", "web-7d9f-a")!;
  assert.deepEqual(
    s.ownerChain(pod).map((o) => `${o.kind}/${o.name}`),
    ["ReplicaSet/web-7d9f", "Deployment/web"],
  );
  assert.equal(s.topOwner(pod).name, "web");
  const jobPod = s.get("Pod", "shop", "nightly-29000000-x")!;
  assert.deepEqual(
    s.ownerChain(jobPod).map((o) => o.kind),
    ["Job", "CronJob"],
  );
  assert.deepEqual(
    s
      .podsOf(s.get("Deployment", "shop", "web")!)
      .map((p) => p.name)
      .sort(),
    ["web-7d9f-a", "web-7d9f-b"],
  );
  assert.deepEqual(
    s.podsOf(s.get("CronJob", "shop", "nightly")!).map((p) => p.name),
    ["nightly-29000000-x"],
  );
});

test("indexes: node -> pods, by uid, namespaces", async () => {
  const s = await load();
  assert.equal(s.podsOnNode("node-a").length, 3);
  assert.equal(s.podsOnNode("nope").length, 0);
  assert.equal(s.byUid("rs-web")?.name, "web-7d9f");
  assert.deepEqual(s.namespaceNames(), ["shop"]);
});

test("owners: one owner reference shared by pods of two namespaces resolves in each pod's namespace", () => {
  const b = new ClusterStateBuilder({ source: "manifests", sourceDetail: "test", collectedAt: 0 });
  const ownerReferences = [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", controller: true }];
  for (const ns of ["a", "b"]) {
    b.add({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web", namespace: ns }, spec: {} });
    b.add({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: ns, ownerReferences },
      spec: { containers: [] },
    });
  }
  b.add({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "q", namespace: "c", ownerReferences },
    spec: { containers: [] },
  });
  const s = b.build({ complete: true });
  assert.equal(
    s.get("Pod", "a", "p")!.owner,
    s.get("Pod", "b", "p")!.owner,
    "interned: one reference object",
  );
  for (const ns of ["a", "b", "a"]) assert.equal(s.owner(s.get("Pod", ns, "p")!)?.namespace, ns);
  assert.equal(s.owner(s.get("Pod", "c", "q")!), undefined);
  assert.equal(s.owner(s.get("Pod", "b", "p")!)?.namespace, "b");
});

test("children: by uid, or by namespace and name without one, only children of the owner's kind", () => {
  const b = new ClusterStateBuilder({ source: "manifests", sourceDetail: "test", collectedAt: 0 });
  const owned = (kind: string, name: string, ns: string, owner: Record<string, unknown>) =>
    b.add({
      apiVersion: "v1",
      kind,
      metadata: {
        name,
        namespace: ns,
        ownerReferences: [{ apiVersion: "batch/v1", controller: true, ...owner }],
      },
      spec: { containers: [] },
    });
  b.add({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "j", namespace: "a", uid: "job-uid" },
    spec: {},
  });
  b.add({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "j", namespace: "b" }, spec: {} });
  owned("Pod", "by-uid", "a", { kind: "Job", name: "j", uid: "job-uid" });
  owned("Pod", "by-name", "b", { kind: "Job", name: "j" });
  owned("Pod", "other-namespace", "c", { kind: "Job", name: "j" });
  owned("Pod", "other-kind", "b", { kind: "CronJob", name: "j" });
  const s = b.build({ complete: true });
  assert.deepEqual(
    s.children(s.get("Job", "a", "j")!).map((c) => c.name),
    ["by-uid"],
  );
  assert.deepEqual(
    s.children(s.get("Job", "b", "j")!).map((c) => c.name),
    ["by-name"],
  );
});

test("selectPods: pods of several label sets come back in input order, each set judged on its labels", () => {
  const b = new ClusterStateBuilder({ source: "demo", sourceDetail: "test", collectedAt: 0 });
  const pod = (name: string, labels: Record<string, string>, ns = "shop") =>
    b.add({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: ns, labels },
      spec: { containers: [] },
    });
  pod("a1", { app: "a", tier: "web" });
  pod("b1", { app: "b", tier: "web" });
  pod("a2", { app: "a", tier: "web" });
  pod("c1", { app: "c", tier: "db" });
  pod("b2", { app: "b", tier: "web" });
  pod("x1", { app: "a", tier: "web" }, "other");
  const s = b.build({ complete: true });
  const names = (sel: Parameters<typeof s.selectPods>[1]) => s.selectPods("shop", sel).map((p) => p.name);
  assert.deepEqual(names(fromMapSelector({ tier: "web" })), ["a1", "b1", "a2", "b2"]);
  assert.deepEqual(names(fromMapSelector({ app: "a" })), ["a1", "a2"]);
  assert.deepEqual(names(fromMapSelector({ app: "a", tier: "db" })), []);
  assert.deepEqual(names(fromMapSelector({ app: "zzz" })), []);
  assert.deepEqual(
    names(fromLabelSelector({ matchExpressions: [{ key: "app", operator: "In", values: ["b", "c"] }] })),
    ["b1", "c1", "b2"],
  );
  assert.deepEqual(names(fromLabelSelector({})), ["a1", "b1", "a2", "c1", "b2"]);
  assert.deepEqual(names(fromMapSelector({})), []);
});

test("selectors resolved: Service, PDB, NetworkPolicy -> pods; HPA -> target; slices", async () => {
  const s = await load();
  const names = (ps: { name: string }[]) => ps.map((p) => p.name).sort();
  assert.deepEqual(names(s.servicePods(s.get("Service", "shop", "web")!)), ["web-7d9f-a", "web-7d9f-b"]);
  assert.deepEqual(names(s.pdbPods(s.get("PodDisruptionBudget", "shop", "web")!)), [
    "web-7d9f-a",
    "web-7d9f-b",
  ]);
  assert.deepEqual(names(s.networkPolicyPods(s.get("NetworkPolicy", "shop", "web-ingress")!)), [
    "web-7d9f-a",
    "web-7d9f-b",
  ]);
  assert.equal(s.hpaTarget(s.get("HorizontalPodAutoscaler", "shop", "web")!)?.kind, "Deployment");
  const slices = s.endpointSlicesOf(s.get("Service", "shop", "web")!);
  assert.equal(slices.length, 1);
  assert.equal(slices[0]!.ready, 2, "a nil ready condition counts as ready");
  const webPod = s.get("Pod", "shop", "web-7d9f-a")!;
  assert.equal(s.pdbsFor(webPod.namespace, webPod.labels).length, 1);
  assert.equal(s.inNamespace("PodDisruptionBudget", "shop").length, 1);
  assert.equal(
    s.derive("k", () => ({})),
    s.derive("k", () => ({})),
    "derived values are computed once",
  );
});

test("storage chain: PVC -> PV -> StorageClass", async () => {
  const s = await load();
  const pvc = s.get("PersistentVolumeClaim", "shop", "web-data")!;
  const pv = s.pvcVolume(pvc)!;
  assert.equal(pv.name, "pv-1");
  assert.equal(pv.capacityBytes, 10 * 1024 ** 3);
  assert.equal(s.storageClassOf(pv)?.provisioner, "ebs.csi.aws.com");
});

test("pod references: existing and missing ConfigMaps, Secrets, SA, PVCs", async () => {
  const s = await load();
  const refs = s.podReferences(s.get("Pod", "shop", "web-7d9f-a")!);
  const byName = Object.fromEntries(refs.map((r) => [`${r.kind}/${r.name}`, r.exists]));
  assert.deepEqual(byName, {
    "ConfigMap/web-config": true,
    "ConfigMap/does-not-exist": false,
    "Secret/db": true,
    "PersistentVolumeClaim/web-data": true,
    "ServiceAccount/web": true,
  });
});

test("coverage: seen kinds collected, absent kinds not collected; unknown kinds counted", async () => {
  const s = await load();
  assert.equal(s.coverage.get("Pod")?.status, "collected");
  assert.equal(s.coverage.get("Pod")?.count, 3);
  assert.equal(s.coverage.get("Role")?.status, "not-collected");
  assert.equal(s.isCollected("Role"), false);
  assert.deepEqual([...s.unknownKinds], [["Certificate", 1]]);
});

test("a kind marked not permitted stays not permitted", () => {
  const b = new ClusterStateBuilder({ source: "live", sourceDetail: "t", collectedAt: 0 });
  b.setCoverage("Secret", "not-permitted", "list secrets: forbidden");
  const s = b.build({ complete: true });
  assert.equal(s.coverage.get("Secret")?.status, "not-permitted");
  assert.equal(s.coverage.get("Pod")?.status, "collected");
  const pod = {
    namespace: "x",
    volumes: { configMaps: [], secrets: ["a"], pvcs: [], hostPaths: [], emptyDirs: 0 },
    initContainers: [],
    containers: [],
    serviceAccount: "default",
  };
  const secretRef = s
    .podReferences(pod as unknown as Parameters<typeof s.podReferences>[0])
    .find((r) => r.kind === "Secret");
  assert.equal(
    secretRef?.exists,
    undefined,
    "a reference into a kind we could not read is unknown, not missing",
  );
});

test("projected for the scanner's rules: deletion time, grace period, taint time, StatefulSet update state", () => {
  const b = new ClusterStateBuilder({
    source: "manifests",
    sourceDetail: "test",
    collectedAt: Date.parse("2026-11-20T12:00:00Z"),
  });
  b.add({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-1", namespace: "shop", deletionTimestamp: "2026-11-20T11:00:30Z" },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "web", image: "web:1.0.0" }] },
    status: { phase: "Running" },
  });
  b.add({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-a" },
    spec: {
      unschedulable: true,
      taints: [
        { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule", timeAdded: "2026-11-18T09:00:00Z" },
      ],
    },
  });
  b.add({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "db", namespace: "shop" },
    spec: {
      replicas: 3,
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } },
      template: { spec: { containers: [] } },
    },
    status: { replicas: 3, currentRevision: "db-6f7c", updateRevision: "db-9a1b" },
  });
  b.add({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "cache", namespace: "shop" },
    spec: { template: { spec: {} } },
  });
  const s = b.build({ complete: false });
  const pod = s.get("Pod", "shop", "web-1")!;
  assert.equal(pod.deletedAt, Date.parse("2026-11-20T11:00:30Z"));
  assert.equal(pod.terminationGracePeriodSeconds, 0);
  assert.equal(s.get("Node", "", "node-a")!.taints[0]!.timeAdded, Date.parse("2026-11-18T09:00:00Z"));
  const db = s.get("StatefulSet", "shop", "db")!;
  assert.deepEqual(
    [db.updateStrategy, db.partition, db.currentRevision, db.updateRevision],
    ["RollingUpdate", 2, "db-6f7c", "db-9a1b"],
  );
  const cache = s.get("StatefulSet", "shop", "cache")!;
  assert.deepEqual(
    [cache.updateStrategy, cache.partition, cache.currentRevision],
    ["RollingUpdate", 0, undefined],
  );
  assert.equal(cache.template.terminationGracePeriodSeconds, undefined);
});
