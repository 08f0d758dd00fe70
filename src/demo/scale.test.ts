import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { demoOptionsFromScale, generateDemo } from "./index.js";

function tally(nodes: number): { nodes: number; pods: number; containers: number; namespaces: number } {
  const t = { nodes: 0, pods: 0, containers: 0, namespaces: 0 };
  for (const o of generateDemo(demoOptionsFromScale(nodes))) {
    if (o.kind === "Node") t.nodes++;
    else if (o.kind === "Namespace") t.namespaces++;
    else if (o.kind === "Pod") {
      t.pods++;
      t.containers += (o.spec as { containers: unknown[] }).containers.length;
    }
  }
  return t;
}

describe("demo scale", () => {
  it("keeps proportions at a mid size", () => {
    const t = tally(400);
    assert.equal(t.nodes, 400);
    assert.ok(t.pods / t.nodes >= 29 && t.pods / t.nodes <= 38, `pods per node ${t.pods / t.nodes}`);
    assert.ok(t.containers / t.pods > 1.8 && t.containers / t.pods < 2.2);
  });

  // Counting only (no timing: generation time is measured outside unit tests).
  it("reaches ~5,000 nodes, ~150,000 pods and ~300,000 containers at the large scale", () => {
    const t = tally(5000);
    assert.equal(t.nodes, 5000);
    assert.ok(t.pods > 142_000 && t.pods < 158_000, `pods ${t.pods}`);
    assert.ok(t.containers > 285_000 && t.containers < 315_000, `containers ${t.containers}`);
  });
});
