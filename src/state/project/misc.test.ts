/**
 * The HorizontalPodAutoscaler projection: metric targets and spec.behavior in every API
 * spelling (autoscaling/v1, v2beta1, v2), beside the `metrics` strings the rules read.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../raw.js";
import { ClusterStateBuilder } from "../builder.js";
import { CompactDecoder, CompactEncoder } from "../compact.js";
import type { HorizontalPodAutoscaler } from "../types.js";
import { Interner } from "./common.js";
import { projectHpa } from "./misc.js";

function hpa(apiVersion: string, spec: Record<string, unknown>, name = "web"): KubeObject {
  return {
    apiVersion,
    kind: "HorizontalPodAutoscaler",
    metadata: { name, namespace: "shop", uid: `hpa-${name}`, creationTimestamp: "2026-11-01T00:00:00Z" },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, ...spec },
  };
}

test("autoscaling/v2: every metric's target type and value, and behavior", () => {
  const h = projectHpa(
    hpa("autoscaling/v2", {
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
        {
          type: "Resource",
          resource: { name: "memory", target: { type: "AverageValue", averageValue: "512Mi" } },
        },
        {
          type: "ContainerResource",
          containerResource: {
            name: "cpu",
            container: "app",
            target: { type: "Utilization", averageUtilization: 60 },
          },
        },
        {
          type: "Pods",
          pods: {
            metric: { name: "http_requests_per_second" },
            target: { type: "AverageValue", averageValue: "100" },
          },
        },
        {
          type: "External",
          external: { metric: { name: "queue_depth" }, target: { type: "Value", value: "30" } },
        },
      ],
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 600,
          selectPolicy: "Min",
          policies: [{ type: "Percent", value: 50, periodSeconds: 60 }],
        },
        scaleUp: { policies: [{ type: "Pods", value: 4, periodSeconds: 15 }] },
      },
    }),
    new Interner(),
  );
  // The strings the rules read are unchanged.
  assert.deepEqual(h.metrics, [
    "Resource:cpu",
    "Resource:memory",
    "ContainerResource:cpu",
    "Pods:http_requests_per_second",
    "External:queue_depth",
  ]);
  assert.deepEqual(
    h.metricTargets.map((t) => ({ ...t })),
    [
      {
        type: "Resource",
        name: "cpu",
        container: undefined,
        targetType: "Utilization",
        averageUtilization: 70,
        averageValue: undefined,
        value: undefined,
      },
      {
        type: "Resource",
        name: "memory",
        container: undefined,
        targetType: "AverageValue",
        averageUtilization: undefined,
        averageValue: 512 * 2 ** 20,
        value: undefined,
      },
      {
        type: "ContainerResource",
        name: "cpu",
        container: "app",
        targetType: "Utilization",
        averageUtilization: 60,
        averageValue: undefined,
        value: undefined,
      },
      {
        type: "Pods",
        name: "http_requests_per_second",
        container: undefined,
        targetType: "AverageValue",
        averageUtilization: undefined,
        averageValue: 100,
        value: undefined,
      },
      {
        type: "External",
        name: "queue_depth",
        container: undefined,
        targetType: "Value",
        averageUtilization: undefined,
        averageValue: undefined,
        value: 30,
      },
    ],
  );
  assert.equal(h.behavior.scaleDown?.stabilizationWindowSeconds, 600);
  assert.equal(h.behavior.scaleDown?.selectPolicy, "Min");
  assert.deepEqual(h.behavior.scaleDown?.policies, [{ type: "Percent", value: 50, periodSeconds: 60 }]);
  assert.equal(h.behavior.scaleUp?.stabilizationWindowSeconds, undefined);
  assert.deepEqual(h.behavior.scaleUp?.policies, [{ type: "Pods", value: 4, periodSeconds: 15 }]);
  assert.equal(h.minReplicas, 2);
  assert.equal(h.maxReplicas, 10);
});

test("autoscaling/v1 targetCPUUtilizationPercentage becomes a Resource:cpu Utilization target", () => {
  const h = projectHpa(
    hpa("autoscaling/v1", { maxReplicas: 5, targetCPUUtilizationPercentage: 65 }),
    new Interner(),
  );
  assert.deepEqual(h.metrics, ["Resource:cpu"]);
  assert.equal(h.metricTargets.length, 1);
  assert.equal(h.metricTargets[0]!.targetType, "Utilization");
  assert.equal(h.metricTargets[0]!.averageUtilization, 65);
  assert.equal(h.behavior.scaleUp, undefined);
  assert.equal(h.behavior.scaleDown, undefined);
});

test("autoscaling/v2beta1 spellings: targetAverageUtilization, targetAverageValue, metricName", () => {
  const h = projectHpa(
    hpa("autoscaling/v2beta1", {
      maxReplicas: 5,
      metrics: [
        { type: "Resource", resource: { name: "cpu", targetAverageUtilization: 75 } },
        { type: "Resource", resource: { name: "memory", targetAverageValue: "1Gi" } },
        { type: "Pods", pods: { metricName: "rps", targetAverageValue: "20" } },
      ],
    }),
    new Interner(),
  );
  assert.deepEqual(h.metrics, ["Resource:cpu", "Resource:memory", "Pods:rps"]);
  assert.deepEqual(
    h.metricTargets.map((t) => [t.targetType, t.averageUtilization, t.averageValue]),
    [
      ["Utilization", 75, undefined],
      ["AverageValue", undefined, 2 ** 30],
      ["AverageValue", undefined, 20],
    ],
  );
});

test("no metrics and no behavior: empty, fixed-shape fields; malformed input does not throw", () => {
  const none = projectHpa(hpa("autoscaling/v2", { maxReplicas: 3 }), new Interner());
  assert.deepEqual(none.metrics, []);
  assert.deepEqual(none.metricTargets, []);
  assert.deepEqual(Object.keys(none.behavior).sort(), ["scaleDown", "scaleUp"]);
  const bad = projectHpa(
    hpa("autoscaling/v2", {
      maxReplicas: 3,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Bogus", averageUtilization: "x" } } },
        7,
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: "long", policies: "none" } },
    }),
    new Interner(),
  );
  assert.deepEqual(bad.metrics, ["Resource:cpu"]);
  assert.equal(bad.metricTargets[0]!.targetType, "");
  assert.equal(bad.metricTargets[0]!.averageUtilization, undefined);
  assert.equal(bad.behavior.scaleDown?.stabilizationWindowSeconds, undefined);
  assert.deepEqual(bad.behavior.scaleDown?.policies, []);
});

test("identical targets and behaviors are shared between HPAs (the Interner)", () => {
  const intern = new Interner();
  const spec = {
    maxReplicas: 4,
    metrics: [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
      },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
  };
  const a = projectHpa(hpa("autoscaling/v2", structuredClone(spec), "a"), intern);
  const b = projectHpa(hpa("autoscaling/v2", structuredClone(spec), "b"), intern);
  assert.equal(a.metricTargets[0], b.metricTargets[0]);
  assert.equal(a.behavior, b.behavior);
  assert.ok(Object.isFrozen(a.metricTargets[0]));
});

test("the new fields survive the snapshot's compact encoding", () => {
  const b = new ClusterStateBuilder({ source: "manifests", sourceDetail: "test", collectedAt: 0 });
  b.add(
    hpa("autoscaling/v2", {
      maxReplicas: 4,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 55 } },
        },
      ],
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 120,
          policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
        },
      },
    }),
  );
  const out: HorizontalPodAutoscaler[] = [];
  const enc = new CompactEncoder();
  const dec = new CompactDecoder((_kind, item) => out.push(item as HorizontalPodAutoscaler));
  for (const [kind, items] of b.projections())
    for (const line of enc.encodeKind(kind, items)) dec.line(JSON.parse(line));
  const h = out[0]!;
  assert.equal(h.metricTargets[0]!.averageUtilization, 55);
  assert.equal(h.behavior.scaleDown?.stabilizationWindowSeconds, 120);
});
