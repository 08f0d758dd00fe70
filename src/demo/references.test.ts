import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../state/raw.js";
import { BROKEN_REFERENCES, generateDemo } from "./index.js";

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
type PodSpec = {
  nodeName?: string;
  serviceAccountName?: string;
  imagePullSecrets?: { name: string }[];
  volumes?: {
    configMap?: { name: string };
    secret?: { secretName: string };
    persistentVolumeClaim?: { claimName: string };
    projected?: { sources: { configMap?: { name: string } }[] };
  }[];
  containers: {
    env?: { valueFrom?: { secretKeyRef?: { name: string }; configMapKeyRef?: { name: string } } }[];
    envFrom?: { configMapRef?: { name: string } }[];
  }[];
};

const key = (kind: string, ns: string, name: string) => `${kind} ${ns}/${name}`;

/** Every unresolved reference as [from, to]. */
function unresolved(objs: Obj[]): [string, string][] {
  const byKey = new Map<string, Obj>();
  for (const o of objs) byKey.set(key(o.kind ?? "", o.metadata?.namespace ?? "", o.metadata?.name ?? ""), o);
  const out: [string, string][] = [];
  const from = (o: Obj) => key(o.kind ?? "", o.metadata?.namespace ?? "", o.metadata?.name ?? "");
  const need = (o: Obj, kind: string, ns: string, name: string | undefined, uid?: string) => {
    const target = byKey.get(key(kind, ns, name ?? ""));
    if (!target || (uid !== undefined && target.metadata?.uid !== uid))
      out.push([from(o), key(kind, ns, name ?? "")]);
  };
  const podRefs = (o: Obj, ns: string, spec: PodSpec) => {
    if (spec.nodeName) need(o, "Node", "", spec.nodeName);
    need(o, "ServiceAccount", ns, spec.serviceAccountName ?? "default");
    for (const s of spec.imagePullSecrets ?? []) need(o, "Secret", ns, s.name);
    for (const v of spec.volumes ?? []) {
      if (v.configMap) need(o, "ConfigMap", ns, v.configMap.name);
      if (v.secret) need(o, "Secret", ns, v.secret.secretName);
      if (v.persistentVolumeClaim) need(o, "PersistentVolumeClaim", ns, v.persistentVolumeClaim.claimName);
      for (const src of v.projected?.sources ?? [])
        if (src.configMap) need(o, "ConfigMap", ns, src.configMap.name);
    }
    for (const c of spec.containers) {
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef) need(o, "Secret", ns, e.valueFrom.secretKeyRef.name);
        if (e.valueFrom?.configMapKeyRef) need(o, "ConfigMap", ns, e.valueFrom.configMapKeyRef.name);
      }
      for (const e of c.envFrom ?? []) if (e.configMapRef) need(o, "ConfigMap", ns, e.configMapRef.name);
    }
  };
  for (const o of objs) {
    const ns = o.metadata?.namespace ?? "";
    for (const ref of o.metadata?.ownerReferences ?? [])
      need(o, ref.kind ?? "", ref.kind === "Node" ? "" : ns, ref.name, ref.uid);
    const spec = o.spec ?? {};
    switch (o.kind) {
      case "Pod":
        podRefs(o, ns, spec as unknown as PodSpec);
        break;
      case "Deployment":
      case "ReplicaSet":
      case "StatefulSet":
      case "DaemonSet":
      case "Job":
        podRefs(o, ns, (spec.template as { spec: PodSpec }).spec);
        break;
      case "CronJob":
        podRefs(o, ns, (spec.jobTemplate as { spec: { template: { spec: PodSpec } } }).spec.template.spec);
        break;
      case "EndpointSlice": {
        need(o, "Service", ns, o.metadata?.labels?.["kubernetes.io/service-name"]);
        for (const e of (
          o as { endpoints: { targetRef: { name: string; uid: string }; nodeName?: string }[] }
        ).endpoints) {
          need(o, "Pod", ns, e.targetRef.name, e.targetRef.uid);
          if (e.nodeName) need(o, "Node", "", e.nodeName);
        }
        break;
      }
      case "PersistentVolumeClaim":
        need(o, "StorageClass", "", spec.storageClassName as string);
        if (spec.volumeName) need(o, "PersistentVolume", "", spec.volumeName as string);
        break;
      case "PersistentVolume": {
        const c = spec.claimRef as { namespace: string; name: string; uid: string };
        need(o, "PersistentVolumeClaim", c.namespace, c.name, c.uid);
        need(o, "StorageClass", "", spec.storageClassName as string);
        break;
      }
      case "HorizontalPodAutoscaler": {
        const t = spec.scaleTargetRef as { kind: string; name: string };
        need(o, t.kind, ns, t.name);
        break;
      }
      case "RoleBinding":
      case "ClusterRoleBinding": {
        const r = (o as { roleRef: { kind: string; name: string } }).roleRef;
        need(o, r.kind, r.kind === "Role" ? ns : "", r.name);
        for (const s of (o as { subjects: { kind: string; name: string; namespace?: string }[] }).subjects) {
          if (s.kind === "ServiceAccount") need(o, "ServiceAccount", s.namespace ?? ns, s.name);
        }
        break;
      }
      case "Ingress": {
        const rules = spec.rules as { http: { paths: { backend: { service: { name: string } } }[] } }[];
        for (const r of rules) for (const p of r.http.paths) need(o, "Service", ns, p.backend.service.name);
        for (const t of (spec.tls as { secretName: string }[] | undefined) ?? [])
          need(o, "Secret", ns, t.secretName);
        break;
      }
      case "Event": {
        const io = (o as { involvedObject: { kind: string; name: string; namespace?: string; uid: string } })
          .involvedObject;
        need(o, io.kind, io.kind === "Node" ? "" : (io.namespace ?? ns), io.name, io.uid);
        break;
      }
    }
  }
  return out;
}

describe("demo references", () => {
  const objs = [...generateDemo()] as Obj[];
  const broken = unresolved(objs);

  it("resolve except the planted broken ones", () => {
    const allowed = new Set(BROKEN_REFERENCES.map((b) => b.to));
    const unexpected = broken.filter(([, to]) => !allowed.has(to));
    assert.deepEqual(unexpected.slice(0, 10), []);
  });

  it("contain each planted broken reference", () => {
    for (const b of BROKEN_REFERENCES) {
      assert.ok(
        broken.some(([f, t]) => f === b.from && t === b.to),
        `${b.from} -> ${b.to} not found broken`,
      );
    }
  });

  it("hold at another seed and size too", () => {
    const other = unresolved([...generateDemo({ seed: 9, nodes: 120 })] as Obj[]);
    const allowed = new Set(BROKEN_REFERENCES.map((b) => b.to));
    assert.deepEqual(other.filter(([, to]) => !allowed.has(to)).slice(0, 10), []);
  });

  it("bind every PVC to a PV in the zone its pod runs in", () => {
    const pvZone = new Map<string, string>();
    const nodeZone = new Map<string, string>();
    for (const o of objs) {
      if (o.kind === "Node")
        nodeZone.set(o.metadata?.name ?? "", o.metadata?.labels?.["topology.kubernetes.io/zone"] ?? "");
      if (o.kind === "PersistentVolume") {
        const c = o.spec?.claimRef as { namespace: string; name: string };
        const na = o.spec?.nodeAffinity as
          { required: { nodeSelectorTerms: { matchExpressions: { values: string[] }[] }[] } } | undefined;
        const z = na?.required.nodeSelectorTerms[0]?.matchExpressions[0]?.values[0];
        if (z) pvZone.set(`${c.namespace}/${c.name}`, z);
      }
    }
    let checked = 0;
    for (const o of objs) {
      if (o.kind !== "Pod") continue;
      const spec = o.spec as unknown as PodSpec;
      for (const v of spec.volumes ?? []) {
        const z =
          v.persistentVolumeClaim &&
          pvZone.get(`${o.metadata?.namespace}/${v.persistentVolumeClaim.claimName}`);
        if (!z || !spec.nodeName) continue;
        assert.equal(nodeZone.get(spec.nodeName), z, `${o.metadata?.name} not in its volume's zone`);
        checked++;
      }
    }
    assert.ok(checked > 10);
  });
});
