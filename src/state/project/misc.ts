/**
 * The remaining kinds: namespaces, config objects, policy objects, events, leases, CRDs.
 */
import type { KubeObject } from "../raw.js";
import type {
  ConfigMap,
  CustomResourceDefinition,
  HorizontalPodAutoscaler,
  HpaMetricTarget,
  HpaScalingRules,
  KubeEvent,
  Lease,
  LimitRange,
  Namespace,
  PodDisruptionBudget,
  ResourceQuota,
  Secret,
  ServiceAccount,
} from "../types.js";
import { fromLabelSelector } from "../selector.js";
import { assemble } from "./common.js";
import type { Interner } from "./common.js";
import {
  EMPTY,
  arr,
  bool,
  conditions,
  intOrString,
  isObj,
  meta,
  num,
  obj,
  optNum,
  resources,
  str,
  time,
} from "./common.js";
import { parseQuantity } from "../quantity.js";

export function projectNamespace(o: KubeObject, intern: Interner): Namespace {
  return assemble(meta(o, "Namespace", intern), { phase: str(obj(o.status).phase) ?? "Active" });
}

export function projectConfigMap(o: KubeObject, intern: Interner): ConfigMap {
  const keys =
    (isObj(o.data) ? Object.keys(o.data).length : 0) +
    (isObj(o.binaryData) ? Object.keys(o.binaryData).length : 0);
  return assemble(meta(o, "ConfigMap", intern), { keys });
}

/** Only metadata and type: whatever else a Secret carried is never looked at. */
export function projectSecret(o: KubeObject, intern: Interner): Secret {
  const type = str(o.type);
  return assemble(meta(o, "Secret", intern), { type: type === undefined ? undefined : intern.str(type) });
}

export function projectServiceAccount(o: KubeObject, intern: Interner): ServiceAccount {
  return assemble(meta(o, "ServiceAccount", intern), {
    automountServiceAccountToken: bool(o.automountServiceAccountToken),
    imagePullSecrets: arr(o.imagePullSecrets).flatMap((s) => (typeof s.name === "string" ? [s.name] : [])),
  });
}

export function projectPdb(o: KubeObject, intern: Interner): PodDisruptionBudget {
  const base = meta(o, "PodDisruptionBudget", intern);
  const spec = obj(o.spec);
  const status = obj(o.status);
  // policy/v1beta1 treated an empty selector as matching nothing; policy/v1 as everything.
  const selector =
    base.apiVersion === "policy/v1beta1" && !isObj(spec.selector)
      ? fromLabelSelector(undefined)
      : fromLabelSelector(spec.selector ?? {});
  return assemble(base, {
    selector,
    minAvailable: intOrString(spec.minAvailable),
    maxUnavailable: intOrString(spec.maxUnavailable),
    currentHealthy: num(status.currentHealthy),
    desiredHealthy: num(status.desiredHealthy),
    expectedPods: num(status.expectedPods),
    disruptionsAllowed: num(status.disruptionsAllowed),
    hasStatus: isObj(o.status) && typeof status.expectedPods === "number",
  });
}

const HPA_TARGET_TYPES = new Set(["Utilization", "AverageValue", "Value"]);

/**
 * A metric's target. autoscaling/v2: `<source>.target.{type, averageUtilization,
 * averageValue, value}`; v2beta1: `targetAverageUtilization`, `targetAverageValue`,
 * `targetValue` beside the name (the type is implied by which one is set).
 */
function hpaMetricTarget(m: Record<string, unknown>, intern: Interner): HpaMetricTarget {
  const type = str(m.type) ?? "";
  const inner = obj(m[type.charAt(0).toLowerCase() + type.slice(1)]);
  const name = str(inner.name) ?? str(obj(inner.metric).name) ?? str(inner.metricName) ?? "";
  const container = str(inner.container);
  const t = obj(inner.target);
  const averageUtilization = optNum(t.averageUtilization) ?? optNum(inner.targetAverageUtilization);
  const averageValue = parseQuantity(t.averageValue ?? inner.targetAverageValue);
  const value = parseQuantity(t.value ?? inner.targetValue);
  const declared = str(t.type);
  const targetType =
    declared !== undefined && HPA_TARGET_TYPES.has(declared)
      ? declared
      : averageUtilization !== undefined
        ? "Utilization"
        : averageValue !== undefined
          ? "AverageValue"
          : value !== undefined
            ? "Value"
            : "";
  const key = `hpa-metric|${type}|${name}|${container ?? ""}|${targetType}|${averageUtilization}|${averageValue}|${value}`;
  return intern.shared(key, () => ({
    type: intern.str(type),
    name: intern.str(name),
    container,
    targetType,
    averageUtilization,
    averageValue,
    value,
  }));
}

function hpaScalingRules(v: unknown, intern: Interner): HpaScalingRules | undefined {
  if (!isObj(v)) return undefined;
  const policies = arr(v.policies).map((p) => ({
    type: intern.str(str(p.type) ?? ""),
    value: num(p.value),
    periodSeconds: num(p.periodSeconds),
  }));
  const rules = {
    stabilizationWindowSeconds: optNum(v.stabilizationWindowSeconds),
    selectPolicy: str(v.selectPolicy),
    policies: policies.length ? policies : EMPTY,
  };
  return intern.shared(`hpa-rules|${JSON.stringify(rules)}`, () => rules);
}

const NO_BEHAVIOR: HorizontalPodAutoscaler["behavior"] = Object.freeze({
  scaleUp: undefined,
  scaleDown: undefined,
});

export function projectHpa(o: KubeObject, intern: Interner): HorizontalPodAutoscaler {
  const base = meta(o, "HorizontalPodAutoscaler", intern);
  const spec = obj(o.spec);
  const status = obj(o.status);
  const ref = obj(spec.scaleTargetRef);
  const targets = arr(spec.metrics).map((m) => hpaMetricTarget(m, intern));
  const metrics = targets.map((t) => `${t.type}:${t.name}`);
  // autoscaling/v1 spelling.
  if (metrics.length === 0 && typeof spec.targetCPUUtilizationPercentage === "number") {
    metrics.push("Resource:cpu");
    targets.push(
      hpaMetricTarget(
        {
          type: "Resource",
          resource: {
            name: "cpu",
            target: { type: "Utilization", averageUtilization: spec.targetCPUUtilizationPercentage },
          },
        },
        intern,
      ),
    );
  }
  const behavior = obj(spec.behavior);
  const scaleUp = hpaScalingRules(behavior.scaleUp, intern);
  const scaleDown = hpaScalingRules(behavior.scaleDown, intern);
  return assemble(base, {
    target: { kind: str(ref.kind) ?? "", name: str(ref.name) ?? "", apiVersion: str(ref.apiVersion) },
    minReplicas: num(spec.minReplicas, 1),
    maxReplicas: num(spec.maxReplicas),
    currentReplicas: num(status.currentReplicas),
    desiredReplicas: num(status.desiredReplicas),
    metrics: metrics.length ? metrics : EMPTY,
    metricTargets: targets.length ? targets : EMPTY,
    behavior:
      scaleUp === undefined && scaleDown === undefined
        ? NO_BEHAVIOR
        : intern.shared(`hpa-behavior|${JSON.stringify({ scaleUp, scaleDown })}`, () => ({
            scaleUp,
            scaleDown,
          })),
    conditions: conditions(status.conditions, intern),
  });
}

function quantities(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, q] of Object.entries(obj(v))) {
    const n = parseQuantity(q);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

export function projectResourceQuota(o: KubeObject, intern: Interner): ResourceQuota {
  const status = obj(o.status);
  return assemble(meta(o, "ResourceQuota", intern), {
    hard: quantities(obj(o.spec).hard),
    used: quantities(status.used),
  });
}

export function projectLimitRange(o: KubeObject, intern: Interner): LimitRange {
  return assemble(meta(o, "LimitRange", intern), {
    limits: arr(obj(o.spec).limits).map((l) => ({
      type: str(l.type) ?? "",
      defaultRequest: resources(l.defaultRequest),
      default: resources(l.default),
      max: resources(l.max),
      min: resources(l.min),
    })),
  });
}

export function projectEvent(o: KubeObject, intern: Interner): KubeEvent {
  const base = meta(o, "Event", intern);
  // core/v1 Events use involvedObject; events.k8s.io/v1 uses regarding.
  const ref = obj(o.involvedObject ?? o.regarding);
  const series = obj(o.series);
  return assemble(base, {
    type: intern.str(str(o.type) ?? "Normal"),
    reason: intern.str(str(o.reason) ?? ""),
    message: str(o.message ?? o.note) ?? "",
    involved: {
      kind: intern.str(str(ref.kind) ?? ""),
      namespace: intern.str(str(ref.namespace) ?? ""),
      name: str(ref.name) ?? "",
      uid: str(ref.uid),
    },
    count: num(o.count, num(series.count, 1)),
    lastSeen:
      time(o.lastTimestamp) ?? time(series.lastObservedTime) ?? time(o.eventTime) ?? time(o.firstTimestamp),
  });
}

export function projectLease(o: KubeObject, intern: Interner): Lease {
  const spec = obj(o.spec);
  return assemble(meta(o, "Lease", intern), {
    holder: str(spec.holderIdentity),
    renewTime: time(spec.renewTime),
    durationSeconds: optNum(spec.leaseDurationSeconds),
  });
}

export function projectCrd(o: KubeObject, intern: Interner): CustomResourceDefinition {
  const spec = obj(o.spec);
  const names = obj(spec.names);
  return assemble(meta(o, "CustomResourceDefinition", intern), {
    group: str(spec.group) ?? "",
    crdKind: str(names.kind) ?? "",
    plural: str(names.plural) ?? "",
    scope: str(spec.scope) ?? "Namespaced",
    versions: arr(spec.versions).map((v) => ({
      name: str(v.name) ?? "",
      served: v.served === true,
      storage: v.storage === true,
      deprecated: v.deprecated === true,
    })),
  });
}
