/** Storage: claims that are not bound. */
import type { ClusterState } from "../state/cluster-state.js";
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";
import { formatMinutes, minutesSince } from "./util.js";

export const pvcUnbound = defineRule({
  id: "pvc-unbound",
  title: "PersistentVolumeClaim not bound",
  severity: "high",
  category: "health",
  rationale: "Pods that mount an unbound claim stay Pending; a Lost claim has lost its volume.",
  fix: "Check the StorageClass exists and its provisioner runs, or that a matching PersistentVolume is available.",
  kinds: ["PersistentVolumeClaim", "StorageClass"],
  runtime: true,
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pvc of state.list("PersistentVolumeClaim")) {
      if (pvc.phase !== "Pending" && pvc.phase !== "Lost") continue;
      const sc = state.storageClassOf(pvc);
      // WaitForFirstConsumer claims are Pending by design until a pod uses them.
      if (pvc.phase === "Pending" && sc?.volumeBindingMode === "WaitForFirstConsumer") {
        const used = state.podsInNamespace(pvc.namespace).some((p) => p.volumes.pvcs.includes(pvc.name));
        if (!used) continue;
      }
      const why =
        pvc.storageClassName && !sc
          ? `storage class ${pvc.storageClassName} does not exist`
          : pvc.phase === "Lost"
            ? "its volume is lost"
            : "no volume bound";
      out.push({
        object: ref(pvc),
        message: `claim is ${pvc.phase}: ${why}`,
        evidence: {
          phase: pvc.phase,
          storageClass: pvc.storageClassName ?? "(default)",
          ageMinutes: Number.isNaN(pvc.createdAt) ? "unknown" : Math.round((ctx.now - pvc.createdAt) / 60000),
        },
      });
    }
    return out;
  },
});

export const pvcStorageClassMissing = defineRule({
  id: "pvc-storageclass-missing",
  title: "PersistentVolumeClaim names a missing StorageClass",
  severity: "medium",
  category: "configuration",
  rationale:
    "A claim whose StorageClass does not exist cannot be provisioned or expanded; a bound one keeps working until its volume must be resized or recreated.",
  fix: "Recreate the StorageClass (same name and provisioner), or migrate the data to a claim of an existing class.",
  kinds: ["PersistentVolumeClaim", "StorageClass"],
  requires: ["StorageClass"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pvc of state.list("PersistentVolumeClaim")) {
      // Pending and Lost claims are pvc-unbound's, which names the missing class too.
      if (pvc.phase === "Pending" || pvc.phase === "Lost" || !pvc.storageClassName) continue;
      if (state.storageClassOf(pvc)) continue;
      out.push({
        object: ref(pvc),
        message: `storage class ${pvc.storageClassName} does not exist (claim is ${pvc.phase})`,
        evidence: { storageClass: pvc.storageClassName, phase: pvc.phase },
      });
    }
    return out;
  },
});

export const pvFailed = defineRule({
  id: "pv-failed",
  title: "PersistentVolume failed",
  severity: "high",
  category: "health",
  rationale:
    "A Failed volume could not be reclaimed automatically (deletion by the provisioner failed): the disk may still exist and cost money, or hold data nobody tracks.",
  fix: "Read the PV's events for the provisioner error; delete the backing disk by hand if intended, then the PV object.",
  kinds: ["PersistentVolume"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pv of state.list("PersistentVolume")) {
      if (pv.phase !== "Failed") continue;
      out.push({
        object: ref(pv),
        message: `volume is Failed${pv.claim ? ` (was bound to ${pv.claim.namespace}/${pv.claim.name})` : ""}`,
        evidence: {
          phase: pv.phase,
          reclaimPolicy: pv.reclaimPolicy ?? "",
          storageClass: pv.storageClassName ?? "",
          capacityBytes: pv.capacityBytes ?? "unknown",
        },
      });
    }
    return out;
  },
});

export const pvReleased = defineRule({
  id: "pv-released",
  title: "PersistentVolume released and not reclaimed",
  severity: "low",
  category: "efficiency",
  rationale:
    "A Released volume's claim is gone but, with reclaimPolicy Retain, the disk and its data stay: it is paid for and no new claim can bind it.",
  fix: "Back up what is needed, then delete the PV and its disk; or clear spec.claimRef to make it Available for a new claim.",
  kinds: ["PersistentVolume"],
  runtime: true,
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pv of state.list("PersistentVolume")) {
      if (pv.phase !== "Released") continue;
      const age = minutesSince(ctx.now, pv.createdAt);
      out.push({
        object: ref(pv),
        message: `volume is Released${pv.claim ? ` from ${pv.claim.namespace}/${pv.claim.name}` : ""} and kept (${pv.reclaimPolicy ?? "Retain"})${age !== undefined ? `; created ${formatMinutes(age)} ago` : ""}`,
        evidence: {
          reclaimPolicy: pv.reclaimPolicy ?? "",
          capacityBytes: pv.capacityBytes ?? "unknown",
          claim: pv.claim ? `${pv.claim.namespace}/${pv.claim.name}` : "",
        },
      });
    }
    return out;
  },
});

/** Claim names that pods or pod templates mount, and StatefulSet claims in range, per namespace. */
function mountedClaims(state: ClusterState): ReadonlySet<string> {
  return state.derive("checks:mounted-claims", (s) => {
    const out = new Set<string>();
    for (const p of s.list("Pod")) for (const n of p.volumes.pvcs) out.add(`${p.namespace}/${n}`);
    for (const kind of ["Deployment", "DaemonSet", "CronJob", "Job", "ReplicaSet", "StatefulSet"] as const) {
      for (const w of s.list(kind)) for (const n of w.template.volumes.pvcs) out.add(`${w.namespace}/${n}`);
    }
    // StatefulSet claims <template>-<set>-<ordinal> of ordinals still in the set.
    for (const st of s.list("StatefulSet")) {
      for (const t of st.volumeClaimTemplates)
        for (let i = 0; i < st.replicas; i++) out.add(`${st.namespace}/${t}-${st.name}-${i}`);
    }
    return out;
  });
}

export const pvcUnused = defineRule({
  id: "pvc-unused",
  title: "PersistentVolumeClaim mounted by no pod",
  severity: "low",
  category: "efficiency",
  rationale:
    "A bound claim no pod or workload mounts keeps its disk (and its bill) for nothing; often the leftover of a deleted workload or a scaled-down StatefulSet.",
  fix: "Back up the data if it matters, then delete the claim (and the volume, if its reclaimPolicy is Retain).",
  kinds: [
    "PersistentVolumeClaim",
    "Pod",
    "Deployment",
    "DaemonSet",
    "CronJob",
    "Job",
    "ReplicaSet",
    "StatefulSet",
  ],
  runtime: true,
  requires: ["Pod"],
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    const mounted = mountedClaims(state);
    for (const pvc of state.list("PersistentVolumeClaim")) {
      if (pvc.phase !== "Bound" || mounted.has(`${pvc.namespace}/${pvc.name}`)) continue;
      const age = minutesSince(ctx.now, pvc.createdAt);
      out.push({
        object: ref(pvc),
        message: `bound claim${pvc.capacityBytes ? ` of ${Math.round(pvc.capacityBytes / 2 ** 30)} GiB` : ""} is mounted by no pod or workload`,
        evidence: {
          capacityBytes: pvc.capacityBytes ?? "unknown",
          storageClass: pvc.storageClassName ?? "(default)",
          ageMinutes: age ?? "unknown",
        },
      });
    }
    return out;
  },
});

export const STORAGE_RULES = [pvcUnbound, pvcStorageClassMissing, pvFailed, pvReleased, pvcUnused];
