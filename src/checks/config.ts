/** Configuration hygiene: ownership labels, quotas and limits, the default namespace, deprecated APIs. */
import type { ClusterState } from "../state/cluster-state.js";
import type { Meta, ProjectedKind } from "../state/types.js";
import { KINDS } from "../state/kinds.js";
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";
import { DEPRECATED_APIS, deprecatedApi } from "./deprecated-apis.js";
import { isSystemNamespace } from "./util.js";
import { TEMPLATE_KINDS, workloadTemplates } from "./workload-templates.js";

/** Label keys that name who owns a namespace (a prefixed form such as example.com/team counts too). */
const OWNER_LABELS = ["team", "owner"];
/** Namespaces the cluster itself creates. */
const BUILTIN_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

function hasOwnerLabel(labels: Readonly<Record<string, string>>): boolean {
  for (const k in labels) {
    const base = k.slice(k.lastIndexOf("/") + 1);
    if (OWNER_LABELS.includes(base) && labels[k] !== "") return true;
  }
  return false;
}

/** Namespaces that run at least one pod, with how many: built once per state. */
function namespacesWithPods(state: ClusterState): ReadonlyMap<string, number> {
  return state.derive("checks:namespaces-with-pods", (s) => {
    const out = new Map<string, number>();
    for (const p of s.list("Pod"))
      if (p.phase === "Running" || p.phase === "Pending")
        out.set(p.namespace, (out.get(p.namespace) ?? 0) + 1);
    return out;
  });
}

export const namespaceOwnerLabels = defineRule({
  id: "namespace-missing-owner-labels",
  title: "Namespace without an owner label",
  severity: "info",
  category: "configuration",
  rationale:
    "Without a team or owner label nobody can be paged for what runs in the namespace, and its cost cannot be allocated.",
  fix: "Label the namespace, e.g. kubectl label namespace <ns> team=<team>.",
  kinds: ["Namespace"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const ns of state.list("Namespace")) {
      if (BUILTIN_NAMESPACES.has(ns.name) || isSystemNamespace(ns.name) || hasOwnerLabel(ns.labels)) continue;
      out.push({
        object: ref(ns),
        message: `no ${OWNER_LABELS.join(" or ")} label`,
        evidence: { labels: Object.keys(ns.labels).sort().join(",") },
      });
    }
    return out;
  },
});

function namespaceWithout(
  kind: "ResourceQuota" | "LimitRange",
  id: string,
  title: string,
  rationale: string,
  fix: string,
) {
  return defineRule({
    id,
    title,
    severity: "low",
    category: "configuration",
    rationale,
    fix,
    kinds: ["Namespace", "Pod", kind],
    requires: ["Pod", kind],
    evaluate(state): FindingDraft[] {
      const out: FindingDraft[] = [];
      for (const [ns, pods] of namespacesWithPods(state)) {
        if (BUILTIN_NAMESPACES.has(ns) || isSystemNamespace(ns) || state.inNamespace(kind, ns).length > 0)
          continue;
        const obj = state.get("Namespace", "", ns);
        out.push({
          object: obj ? ref(obj) : { kind: "Namespace", namespace: "", name: ns },
          message: `runs ${pods} pods and has no ${kind}`,
          evidence: { pods },
        });
      }
      return out;
    },
  });
}

export const noResourceQuota = namespaceWithout(
  "ResourceQuota",
  "namespace-no-resourcequota",
  "Namespace without a ResourceQuota",
  "Without a quota one runaway deployment (or a replicas typo) in the namespace can take the whole cluster's capacity.",
  "Add a ResourceQuota with requests.cpu, requests.memory and pod count limits sized from current use plus headroom.",
);

export const noLimitRange = namespaceWithout(
  "LimitRange",
  "namespace-no-limitrange",
  "Namespace without a LimitRange",
  "Without a LimitRange, containers that set no requests get none: they are scheduled blindly and are the first to be evicted.",
  "Add a LimitRange with defaultRequest and default values for cpu and memory.",
);

export const defaultNamespace = defineRule({
  id: "default-namespace-used",
  title: "Workload in the default namespace",
  severity: "low",
  category: "configuration",
  rationale:
    "The default namespace has no owner, quota or policy of its own: whatever lands there is hard to attribute, and RBAC granted there leaks to it all.",
  fix: "Move the workload (and its Services and config) to a namespace of its own.",
  kinds: [...TEMPLATE_KINDS, "Service"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner } of workloadTemplates(state)) {
      if (owner.namespace !== "default") continue;
      out.push({
        object: ref(owner),
        message: `${owner.kind} runs in the default namespace`,
        evidence: { namespace: "default" },
      });
    }
    for (const svc of state.inNamespace("Service", "default")) {
      if (svc.name === "kubernetes") continue;
      out.push({
        object: ref(svc),
        message: "Service lives in the default namespace",
        evidence: { namespace: "default", type: svc.type },
      });
    }
    return out;
  },
});

/** Modelled kinds that have deprecated versions people write; Events, Leases and slices are machine-written. */
const VERSIONED_KINDS = KINDS.map((k) => k.kind as ProjectedKind).filter(
  (k) => DEPRECATED_APIS.some((a) => a.kinds.includes(k)) && !["Event", "Lease", "EndpointSlice"].includes(k),
);

/** Every object of the versioned kinds, one array built once per state for both rules. */
function everyObject(state: ClusterState): readonly Meta[] {
  return state.derive("checks:versioned-objects", (s) =>
    VERSIONED_KINDS.flatMap((k) => s.list(k) as readonly Meta[]),
  );
}

export const deprecatedApiVersion = defineRule({
  id: "deprecated-api-version",
  title: "Object uses a deprecated or removed API version",
  severity: "high",
  category: "configuration",
  rationale:
    "An API version removed from Kubernetes cannot be applied to a cluster of that version: the manifest or chart fails on upgrade day, or after it.",
  fix: "Migrate the manifest or chart to the replacement version (kubectl convert or pluto help with the field changes).",
  kinds: [...VERSIONED_KINDS],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const o of everyObject(state)) {
      const dep = deprecatedApi(o.apiVersion, o.kind);
      if (!dep) continue;
      out.push({
        object: ref(o),
        message: `${o.kind} uses ${o.apiVersion}, removed in Kubernetes ${dep.removedIn}; use ${dep.replacement}`,
        evidence: { apiVersion: o.apiVersion, removedIn: dep.removedIn, replacement: dep.replacement },
      });
    }
    return out;
  },
});

export const deprecatedApiManaged = defineRule({
  id: "deprecated-api-managed",
  title: "Object still written through a deprecated API version",
  severity: "medium",
  category: "configuration",
  rationale:
    "managedFields show a client (a chart, a CI job, an operator) still writing this object through a deprecated API version: that client breaks when the version is removed, even if the object itself reads fine.",
  fix: "Find the field manager (kubectl get -o yaml --show-managed-fields) and upgrade that client or chart to the replacement version.",
  kinds: [...VERSIONED_KINDS],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const o of everyObject(state)) {
      if (o.managedApiVersions.length === 0) continue;
      for (const v of o.managedApiVersions) {
        if (v === o.apiVersion) continue; // the object's own version is deprecated-api-version's finding
        const dep = deprecatedApi(v, o.kind);
        if (!dep) continue;
        out.push({
          object: ref(o),
          message: `${o.kind} is still written through ${v} (removed in Kubernetes ${dep.removedIn}); use ${dep.replacement}`,
          evidence: { managedApiVersion: v, removedIn: dep.removedIn, replacement: dep.replacement },
        });
        break;
      }
    }
    return out;
  },
});

export const CONFIG_RULES = [
  namespaceOwnerLabels,
  noResourceQuota,
  noLimitRange,
  defaultNamespace,
  deprecatedApiVersion,
  deprecatedApiManaged,
];
