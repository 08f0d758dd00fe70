/** PersistentVolumeClaims, PersistentVolumes and StorageClasses. */
import type { KubeObject } from "../raw.js";
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from "../types.js";
import { assemble } from "./common.js";
import type { Interner } from "./common.js";
import { meta, obj, str, strings } from "./common.js";
import { parseBytes } from "../quantity.js";

export function projectPvc(o: KubeObject, intern: Interner): PersistentVolumeClaim {
  const base = meta(o, "PersistentVolumeClaim", intern);
  const spec = obj(o.spec);
  const status = obj(o.status);
  return assemble(base, {
    // Manifests carry no status: unknown, not Pending.
    phase: intern.str(str(status.phase) ?? "Unknown"),
    storageClassName:
      str(spec.storageClassName) ?? base.annotations["volume.beta.kubernetes.io/storage-class"],
    volumeName: str(spec.volumeName),
    requestedBytes: parseBytes(obj(obj(spec.resources).requests).storage),
    capacityBytes: parseBytes(obj(status.capacity).storage),
    accessModes: strings(spec.accessModes, intern),
  });
}

export function projectPv(o: KubeObject, intern: Interner): PersistentVolume {
  const base = meta(o, "PersistentVolume", intern);
  const spec = obj(o.spec);
  const claim = obj(spec.claimRef);
  return assemble(base, {
    phase: intern.str(str(obj(o.status).phase) ?? "Available"),
    capacityBytes: parseBytes(obj(spec.capacity).storage),
    storageClassName: str(spec.storageClassName),
    claim:
      typeof claim.name === "string"
        ? { namespace: str(claim.namespace) ?? "", name: claim.name }
        : undefined,
    reclaimPolicy: str(spec.persistentVolumeReclaimPolicy),
    accessModes: strings(spec.accessModes, intern),
    hostPath: str(obj(spec.hostPath).path),
  });
}

export function projectStorageClass(o: KubeObject, intern: Interner): StorageClass {
  const base = meta(o, "StorageClass", intern);
  const a = base.annotations;
  return assemble(base, {
    provisioner: str(o.provisioner) ?? "",
    isDefault:
      a["storageclass.kubernetes.io/is-default-class"] === "true" ||
      a["storageclass.beta.kubernetes.io/is-default-class"] === "true",
    reclaimPolicy: str(o.reclaimPolicy),
    volumeBindingMode: str(o.volumeBindingMode),
    allowVolumeExpansion: o.allowVolumeExpansion === true,
  });
}
