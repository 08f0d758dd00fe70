/** Node health: readiness and pressure conditions. */
import type { ClusterState } from "../state/cluster-state.js";
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";
import { formatMinutes, minutesSince } from "./util.js";

const PRESSURE = ["MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"];

export const nodeNotReady = defineRule({
  id: "node-not-ready",
  title: "Node not Ready",
  severity: "critical",
  category: "health",
  rationale:
    "A NotReady node runs nothing new, and after the toleration period its pods are evicted elsewhere.",
  fix: "Check the kubelet and container runtime on the node (or the cloud instance); cordon and replace it if it does not recover.",
  kinds: ["Node"],
  runtime: true,
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const node of state.list("Node")) {
      // A node without conditions (a manifest) says nothing about readiness.
      if (node.ready === "True" || node.conditions.length === 0) continue;
      const cond = node.conditions.find((c) => c.type === "Ready");
      const since = cond?.lastTransition;
      out.push({
        object: ref(node),
        message: `node is ${node.ready === "Unknown" ? "unreachable (Ready=Unknown)" : "NotReady"}${cond?.reason ? `: ${cond.reason}` : ""}${since ? ` for ${Math.max(0, Math.round((ctx.now - since) / 60000))} min` : ""}`,
        evidence: {
          ready: node.ready,
          reason: cond?.reason ?? "unknown",
          pods: state.podsOnNode(node.name).length,
          pool: node.pool ?? "",
        },
      });
    }
    return out;
  },
});

export const nodePressure = defineRule({
  id: "node-pressure",
  title: "Node under resource pressure",
  severity: "high",
  category: "health",
  rationale: "Under memory, disk or PID pressure the kubelet evicts pods and refuses new ones.",
  fix: "Find the pods using the resource on that node; rebalance, raise limits or add capacity; clean up disk.",
  kinds: ["Node"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const node of state.list("Node")) {
      for (const c of node.conditions) {
        if (PRESSURE.includes(c.type) && c.status === "True") {
          out.push({
            object: ref(node),
            message: `node reports ${c.type}${c.message ? `: ${c.message}` : ""}`,
            evidence: { condition: c.type, reason: c.reason ?? "unknown" },
          });
        }
      }
    }
    return out;
  },
});

/** A cordon older than this is no longer maintenance in progress. */
const CORDON_MIN = 24 * 60;
/** kubelet may be up to three minors older than kube-apiserver (since 1.28), never newer. */
const SUPPORTED_KUBELET_SKEW = 3;
/** The node lease is renewed every 10 s and judged lost after 40 s; allow for collection lag. */
const HEARTBEAT_STALE_SEC = 120;

export const nodeCordoned = defineRule({
  id: "node-cordoned",
  title: "Node cordoned for long",
  severity: "low",
  category: "health",
  rationale:
    "A cordoned node takes no new pods but is still paid for; a cordon left behind after maintenance quietly shrinks the cluster's capacity.",
  fix: "Finish the maintenance and uncordon the node, or drain and remove it.",
  kinds: ["Node"],
  runtime: true,
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const node of state.list("Node")) {
      if (!node.unschedulable || node.conditions.length === 0) continue;
      const taint = node.taints.find((t) => t.key === "node.kubernetes.io/unschedulable");
      const since = minutesSince(ctx.now, taint?.timeAdded);
      // Without a timestamp the age is unknown; recent cordons are maintenance in progress.
      if (since !== undefined && since < CORDON_MIN) continue;
      out.push({
        object: ref(node),
        message: `node is cordoned${since === undefined ? " (since an unknown time)" : ` for ${formatMinutes(since)}`} and runs ${state.podsOnNode(node.name).length} pods`,
        evidence: {
          cordonedMinutes: since ?? "unknown",
          thresholdMinutes: CORDON_MIN,
          pods: state.podsOnNode(node.name).length,
          ready: node.ready,
        },
      });
    }
    return out;
  },
});

/** major.minor of a version string like "v1.34.2-eks-113cf36"; undefined when unparseable. */
export function minorVersion(v: string | undefined): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(v ?? "");
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

function kubeletSkew(
  state: ClusterState,
  kubeletVersion: string,
): { skew: number; control: string } | undefined {
  const control = state.info.version?.gitVersion;
  const cp = minorVersion(control);
  const k = minorVersion(kubeletVersion);
  if (!cp || !k || cp.major !== k.major) return undefined;
  return { skew: cp.minor - k.minor, control: control! };
}

export const kubeletVersionSkew = defineRule({
  id: "node-kubelet-version-skew",
  title: "Kubelet older than the control plane",
  severity: "low",
  category: "configuration",
  rationale:
    "A kubelet a minor version behind the API server is supported but marks an upgrade left half done; every further control-plane upgrade eats the remaining skew budget.",
  fix: "Upgrade the node (or its node pool / launch template) to the control plane's minor version.",
  kinds: ["Node"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const node of state.list("Node")) {
      const s = kubeletSkew(state, node.kubeletVersion);
      if (!s || s.skew < 1 || s.skew > SUPPORTED_KUBELET_SKEW) continue;
      out.push({
        object: ref(node),
        message: `kubelet ${node.kubeletVersion} is ${s.skew} minor version${s.skew > 1 ? "s" : ""} behind the control plane ${s.control}`,
        evidence: {
          kubelet: node.kubeletVersion,
          controlPlane: s.control,
          skew: s.skew,
          pool: node.pool ?? "",
        },
      });
    }
    return out;
  },
});

export const kubeletUnsupportedSkew = defineRule({
  id: "node-kubelet-unsupported-skew",
  title: "Kubelet version outside the supported skew",
  severity: "high",
  category: "configuration",
  rationale:
    "A kubelet more than three minor versions older than the API server, or newer than it, is outside the version skew policy: APIs it relies on may be gone and behaviour is untested.",
  fix: "Upgrade (or replace) the node to within three minors of the control plane, and never run kubelets newer than the API server.",
  kinds: ["Node"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const node of state.list("Node")) {
      const s = kubeletSkew(state, node.kubeletVersion);
      if (!s || (s.skew >= 0 && s.skew <= SUPPORTED_KUBELET_SKEW)) continue;
      out.push({
        object: ref(node),
        message:
          s.skew < 0
            ? `kubelet ${node.kubeletVersion} is newer than the control plane ${s.control}`
            : `kubelet ${node.kubeletVersion} is ${s.skew} minor versions behind the control plane ${s.control} (supported: ${SUPPORTED_KUBELET_SKEW})`,
        evidence: {
          kubelet: node.kubeletVersion,
          controlPlane: s.control,
          skew: s.skew,
          supportedSkew: SUPPORTED_KUBELET_SKEW,
        },
      });
    }
    return out;
  },
});

export const heartbeatStale = defineRule({
  id: "node-heartbeat-stale",
  title: "Node heartbeat stale",
  severity: "high",
  category: "health",
  rationale:
    "A node whose lease is not renewed is about to be marked NotReady and have its pods evicted: the kubelet is hung, overloaded or cut off from the API server.",
  fix: "Check the kubelet on the node (systemctl status kubelet, its logs) and its network path to the API server.",
  kinds: ["Node", "Lease"],
  runtime: true,
  requires: ["Lease"],
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const node of state.list("Node")) {
      // NotReady nodes are node-not-ready's; manifests have no conditions.
      if (node.ready !== "True") continue;
      const lease = state.get("Lease", "kube-node-lease", node.name);
      const renewed = lease?.renewTime;
      if (renewed === undefined) continue;
      const ageSec = Math.round((ctx.now - renewed) / 1000);
      if (ageSec <= HEARTBEAT_STALE_SEC) continue;
      out.push({
        object: ref(node),
        message: `node lease last renewed ${ageSec}s ago (expected every 10s) while the node still reports Ready`,
        evidence: {
          leaseAgeSeconds: ageSec,
          thresholdSeconds: HEARTBEAT_STALE_SEC,
          lastConditionHeartbeat: node.lastHeartbeat ? new Date(node.lastHeartbeat).toISOString() : "unknown",
        },
      });
    }
    return out;
  },
});

export const NODE_RULES = [
  nodeNotReady,
  nodePressure,
  nodeCordoned,
  kubeletVersionSkew,
  kubeletUnsupportedSkew,
  heartbeatStale,
];
