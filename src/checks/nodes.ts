/** Node health: readiness and pressure conditions. */
import { defineRule, ref } from "./types.js";

const PRESSURE = ["MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"];

export const nodeNotReady = defineRule({
  id: "node-not-ready",
  title: "Node not Ready",
  severity: "critical",
  category: "health",
  rationale: "A NotReady node runs nothing new, and after the toleration period its pods are evicted elsewhere.",
  fix: "Check the kubelet and container runtime on the node (or the cloud instance); cordon and replace it if it does not recover.",
  kinds: ["Node"],
  *evaluate(state, ctx) {
    for (const node of state.list("Node")) {
      // A node without conditions (a manifest) says nothing about readiness.
      if (node.ready === "True" || node.conditions.length === 0) continue;
      const cond = node.conditions.find((c) => c.type === "Ready");
      const since = cond?.lastTransition;
      yield {
        object: ref(node),
        message: `node is ${node.ready === "Unknown" ? "unreachable (Ready=Unknown)" : "NotReady"}${cond?.reason ? `: ${cond.reason}` : ""}${since ? ` for ${Math.max(0, Math.round((ctx.now - since) / 60000))} min` : ""}`,
        evidence: {
          ready: node.ready,
          reason: cond?.reason ?? "unknown",
          pods: state.podsOnNode(node.name).length,
          pool: node.pool ?? "",
        },
      };
    }
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
  *evaluate(state) {
    for (const node of state.list("Node")) {
      for (const c of node.conditions) {
        if (PRESSURE.includes(c.type) && c.status === "True") {
          yield { object: ref(node), message: `node reports ${c.type}${c.message ? `: ${c.message}` : ""}`, evidence: { condition: c.type, reason: c.reason ?? "unknown" } };
        }
      }
    }
  },
});

export const NODE_RULES = [nodeNotReady, nodePressure];
