/** Networking: Services that route to nothing. */
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";

export const serviceNoEndpoints = defineRule({
  id: "service-no-endpoints",
  title: "Service has no ready endpoints",
  severity: "high",
  category: "health",
  rationale:
    "Traffic to a Service without ready endpoints fails: its selector matches no pod, or none of them is ready.",
  fix: "Compare the Service selector with the pods' labels, and check why matching pods are not ready.",
  kinds: ["Service", "Pod", "EndpointSlice"],
  runtime: true,
  requires: ["Pod"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const svc of state.list("Service")) {
      if (svc.type === "ExternalName" || svc.selector.matchesNone) continue;
      const slices = state.endpointSlicesOf(svc);
      const ready = slices.reduce((n, s) => n + s.ready, 0);
      if (ready > 0) continue;
      const pods = state.servicePods(svc);
      const readyPods = pods.filter((p) => p.ready).length;
      // Without slices (manifests) fall back to the pods the selector matches.
      if (slices.length === 0 && readyPods > 0 && !state.isCollected("EndpointSlice")) continue;
      out.push({
        object: ref(svc),
        message:
          pods.length === 0
            ? `selector ${svc.selector.text} matches no pods`
            : `${pods.length} pods match ${svc.selector.text} but none is ready`,
        evidence: {
          selector: svc.selector.text,
          type: svc.type,
          matchingPods: pods.length,
          readyPods,
          readyEndpoints: ready,
        },
      });
    }
    return out;
  },
});

export const NETWORK_RULES = [serviceNoEndpoints];
