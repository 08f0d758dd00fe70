import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KINDS } from "../state/kinds.js";
import type { KubeObject } from "../state/raw.js";
import { DEMO_NOW, demoClusterInfo, demoOptionsFromScale, generateDemo } from "./index.js";

function digest(seed: number): string {
  const h = createHash("sha256");
  for (const o of generateDemo({ seed })) h.update(JSON.stringify(o)).update("\n");
  return h.digest("hex");
}

function collect(): KubeObject[] {
  return [...generateDemo()];
}

describe("generateDemo", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = digest(42);
    assert.equal(digest(42), a);
    assert.notEqual(digest(7), a);
  });

  it("defaults to the small cluster", () => {
    assert.deepEqual(demoOptionsFromScale("small"), { seed: 42, nodes: 40 });
    assert.deepEqual(demoOptionsFromScale("large", 3), { seed: 3, nodes: 5000 });
    assert.deepEqual(demoOptionsFromScale(120), { seed: 42, nodes: 120 });
    assert.throws(() => demoOptionsFromScale(-1));
  });

  it("has the default size's counts in the expected ranges", () => {
    const count = new Map<string, number>();
    let containers = 0;
    for (const o of collect()) {
      count.set(o.kind ?? "", (count.get(o.kind ?? "") ?? 0) + 1);
      if (o.kind === "Pod") containers += (o.spec as { containers: unknown[] }).containers.length;
    }
    const n = (k: string) => count.get(k) ?? 0;
    assert.equal(n("Node"), 40);
    assert.ok(n("Namespace") >= 25 && n("Namespace") <= 35, `namespaces ${n("Namespace")}`);
    const workloads = n("Deployment") + n("StatefulSet") + n("DaemonSet") + n("CronJob");
    assert.ok(workloads >= 240 && workloads <= 360, `workloads ${workloads}`);
    assert.ok(n("Pod") >= 1300 && n("Pod") <= 1700, `pods ${n("Pod")}`);
    assert.ok(
      containers / n("Pod") > 1.7 && containers / n("Pod") < 2.4,
      `containers per pod ${containers / n("Pod")}`,
    );
    assert.equal(n("Lease") >= 40, true);
  });

  it("emits every kind day2 collects, Trivy Operator's VulnerabilityReports included (the demo runs it)", () => {
    const seen = new Set(collect().map((o) => o.kind));
    for (const k of KINDS) assert.ok(seen.has(k.kind), `no ${k.kind}`);
  });

  it("emits cluster-scoped objects first", () => {
    const objs = collect();
    const firstNamespaced = objs.findIndex((o) => o.metadata?.namespace !== undefined);
    assert.ok(firstNamespaced > 0);
    assert.ok(objs.slice(firstNamespaced).every((o) => o.metadata?.namespace !== undefined));
    assert.equal(objs[0]?.kind, "Namespace");
  });

  it("never emits Secret data and never emits managedFields", () => {
    for (const o of collect()) {
      if (o.kind === "Secret") {
        assert.equal("data" in o, false);
        assert.equal("stringData" in o, false);
        assert.equal(typeof o.type, "string");
      }
      assert.equal(o.metadata?.managedFields, undefined);
    }
  });

  it("gives every object a unique identity", () => {
    const uids = new Set<string>();
    const names = new Set<string>();
    for (const o of collect()) {
      const uid = o.metadata?.uid ?? "";
      assert.ok(!uids.has(uid), `duplicate uid ${uid}`);
      uids.add(uid);
      const key = `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
      assert.ok(!names.has(key), `duplicate ${key}`);
      names.add(key);
    }
  });

  it("places pods on nodes that fit their requests", () => {
    const alloc = new Map<string, { cpu: number; pods: number; max: number }>();
    const objs = collect();
    for (const o of objs) {
      if (o.kind !== "Node") continue;
      const a = (o.status as { allocatable: Record<string, string> }).allocatable;
      const cpu = a.cpu?.endsWith("m") ? Number.parseInt(a.cpu, 10) : Number(a.cpu) * 1000;
      alloc.set(o.metadata?.name ?? "", { cpu, pods: 0, max: Number(a.pods) });
    }
    for (const o of objs) {
      if (o.kind !== "Pod") continue;
      const spec = o.spec as {
        nodeName?: string;
        containers: { resources: { requests?: { cpu?: string } } }[];
      };
      const phase = (o.status as { phase: string }).phase;
      if (!spec.nodeName || phase === "Succeeded" || phase === "Failed") continue;
      const n = alloc.get(spec.nodeName);
      assert.ok(n, `pod on unknown node ${spec.nodeName}`);
      for (const c of spec.containers) {
        const q = c.resources.requests?.cpu;
        if (q) n.cpu -= q.endsWith("m") ? Number.parseInt(q, 10) : Number(q) * 1000;
      }
      n.pods++;
    }
    for (const [name, n] of alloc) {
      assert.ok(n.cpu >= 0, `${name} overcommitted`);
      assert.ok(n.pods <= n.max, `${name} has too many pods`);
    }
  });

  it("describes the demo cluster with a fixed now", () => {
    const info = demoClusterInfo({});
    assert.equal(info.name, "demo");
    assert.equal(info.version.gitVersion, "v1.34.2");
    assert.equal(DEMO_NOW, "2026-11-20T12:00:00Z");
    assert.ok(Date.parse(info.createdAt) < Date.parse(DEMO_NOW));
  });
});
