import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEMO_NOW_MS, generateDemo, usageSeries } from "../../demo/index.js";
import { ClusterStateBuilder } from "../../state/builder.js";
import { containerKey, windowSteps } from "../types.js";
import { demoUsage } from "./demo.js";

describe("demoUsage", () => {
  it("gives every container of the demo state its generated history", () => {
    const opts = { seed: 42, nodes: 20 };
    const b = new ClusterStateBuilder({ source: "demo", sourceDetail: "seed 42", collectedAt: DEMO_NOW_MS });
    for (const o of generateDemo(opts)) b.add(o);
    const state = b.build({ complete: true });
    const window = { start: new Date(DEMO_NOW_MS - 86400_000), end: new Date(DEMO_NOW_MS), stepSeconds: 600 };
    const u = demoUsage(opts, state, window);
    assert.equal(u.source, "demo");
    assert.equal(u.confidence, "high");
    assert.equal(u.partial, false);
    const total = state.list("Pod").reduce((s, p) => s + p.containers.length, 0);
    assert.equal(u.containers.size, total);
    const pod = state.list("Pod")[0]!;
    const ref = { namespace: pod.namespace, pod: pod.name, container: pod.containers[0]!.name };
    const got = u.containers.get(containerKey(ref.namespace, ref.pod, ref.container))!;
    assert.equal(got.cpu.length, windowSteps(window));
    assert.deepEqual(got.cpu, usageSeries(opts, ref, "cpu", window));
    assert.deepEqual(got.memory, usageSeries(opts, ref, "memory", window));
  });
});
