/** Storage: claims that are not bound. */
import { defineRule, ref } from "./types.js";

export const pvcUnbound = defineRule({
  id: "pvc-unbound",
  title: "PersistentVolumeClaim not bound",
  severity: "high",
  category: "health",
  rationale: "Pods that mount an unbound claim stay Pending; a Lost claim has lost its volume.",
  fix: "Check the StorageClass exists and its provisioner runs, or that a matching PersistentVolume is available.",
  kinds: ["PersistentVolumeClaim", "StorageClass"],
  *evaluate(state, ctx) {
    for (const pvc of state.list("PersistentVolumeClaim")) {
      if (pvc.phase !== "Pending" && pvc.phase !== "Lost") continue;
      const sc = state.storageClassOf(pvc);
      // WaitForFirstConsumer claims are Pending by design until a pod uses them.
      if (pvc.phase === "Pending" && sc?.volumeBindingMode === "WaitForFirstConsumer") {
        const used = state.podsInNamespace(pvc.namespace).some((p) => p.volumes.pvcs.includes(pvc.name));
        if (!used) continue;
      }
      const why = pvc.storageClassName && !sc ? `storage class ${pvc.storageClassName} does not exist` : pvc.phase === "Lost" ? "its volume is lost" : "no volume bound";
      yield {
        object: ref(pvc),
        message: `claim is ${pvc.phase}: ${why}`,
        evidence: { phase: pvc.phase, storageClass: pvc.storageClassName ?? "(default)", ageMinutes: Number.isNaN(pvc.createdAt) ? "unknown" : Math.round((ctx.now - pvc.createdAt) / 60000) },
      };
    }
  },
});

export const STORAGE_RULES = [pvcUnbound];
