/** Emits everything inside one namespace. */
import type { KubeObject } from "../state/raw.js";
import { DAY, HOUR, MINUTE, SECOND, ago, cpuQty, memQty, uidOf, Gi, Mi } from "./format.js";
import type { Gen } from "./gen.js";
import type { NamespacePlan, PvcPlan } from "./plan.js";
import { endpointSlices, event, ingress, meta, service } from "./objects.js";
import { hashParts, hexFromKey } from "./random.js";
import type { NsEmit } from "./workloads.js";
import { claimZone, emitWorkload, ordinalZone } from "./workloads.js";
import { vulnerabilityReports } from "./vulnerabilities.js";

const CA =
  "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIdemo0000000000DQYJKoZIhvcNAQELBQAwFTETMBEGA1UE\nAxMKa3ViZXJuZXRlczAeFw0yNTEwMDQxMjAwMDBaFw0zNTEwMDIxMjAwMDBaMBUx\n-----END CERTIFICATE-----\n";

/** Every PVC of a namespace with the zone its volume lives in; PV and PVC builders share it. */
export function namespaceClaims(
  seed: number,
  ns: NamespacePlan,
): (PvcPlan & { zone: number | undefined; accessMode: string })[] {
  const out: (PvcPlan & { zone: number | undefined; accessMode: string })[] = [];
  for (const p of ns.pvcs) {
    const rwx = p.storageClass === "efs-sc";
    out.push({
      ...p,
      zone: rwx ? undefined : claimZone(seed, ns.name, p.name),
      accessMode: rwx ? "ReadWriteMany" : "ReadWriteOnce",
    });
  }
  for (const w of ns.workloads) {
    if (w.kind !== "StatefulSet" || !w.claim) continue;
    for (let i = 0; i < w.replicas; i++) {
      out.push({
        name: `data-${w.name}-${i}`,
        sizeGi: w.claim.sizeGi,
        storageClass: w.claim.storageClass,
        bound: true,
        ageDays: w.ageDays,
        zone: ordinalZone(seed, ns.name, w.name, i),
        accessMode: "ReadWriteOnce",
      });
    }
  }
  return out;
}

export function pvName(seed: number, ns: string, claim: string): string {
  return `pvc-${uidOf(seed, "PersistentVolumeClaim", ns, claim)}`;
}

function configMap(
  g: Gen,
  ns: string,
  name: string,
  ageMs: number,
  data: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(g, { kind: "ConfigMap", ns, name, ageMs }),
    data,
  };
}

/** Secrets carry type and metadata only: the demo never produces secret data. */
function secret(
  g: Gen,
  ns: string,
  name: string,
  type: string,
  ageMs: number,
  labels?: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(g, { kind: "Secret", ns, name, ageMs, labels, annotations }),
    type,
  };
}

function* serviceAccounts(g: Gen, ns: NamespacePlan, ageMs: number): Generator<KubeObject> {
  const names = new Set<string>(["default"]);
  for (const w of ns.workloads) if (w.ownServiceAccount) names.add(w.serviceAccount);
  for (const name of names) {
    const sa: KubeObject = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: meta(g, { kind: "ServiceAccount", ns: ns.name, name, ageMs }),
    };
    const w = ns.workloads.find((x) => x.serviceAccount === name && x.ownServiceAccount);
    if (w && !w.automountToken) sa.automountServiceAccountToken = false;
    yield sa;
  }
}

function* configMaps(g: Gen, ns: NamespacePlan, ageMs: number): Generator<KubeObject> {
  yield configMap(g, ns.name, "kube-root-ca.crt", ageMs, { "ca.crt": CA });
  const seen = new Set<string>();
  for (const w of ns.workloads) {
    for (const name of w.configMaps) {
      if (seen.has(name)) continue;
      seen.add(name);
      yield configMap(g, ns.name, name, w.ageDays * DAY, {
        LOG_FORMAT: "json",
        HTTP_PORT: "8080",
        FEATURE_FLAGS: "checkout-v2,fast-search",
      });
    }
  }
  for (const name of ns.orphanConfigMaps)
    yield configMap(g, ns.name, name, 200 * DAY, { "settings.yaml": "replicas: 2\nmode: legacy\n" });
}

function* secrets(g: Gen, ns: NamespacePlan): Generator<KubeObject> {
  const seen = new Set<string>();
  for (const w of ns.workloads) {
    for (const name of w.secrets) {
      if (seen.has(name)) continue;
      seen.add(name);
      yield secret(g, ns.name, name, "Opaque", w.ageDays * DAY);
    }
    if (w.ingress?.tls) {
      yield secret(
        g,
        ns.name,
        `${w.ingress.name}-tls`,
        "kubernetes.io/tls",
        40 * DAY,
        { "controller.cert-manager.io/fao": "true" },
        {
          "cert-manager.io/certificate-name": `${w.ingress.name}-tls`,
          "cert-manager.io/issuer-name": "letsencrypt-prod",
          "cert-manager.io/issuer-kind": "ClusterIssuer",
        },
      );
    }
  }
  if (ns.workloads.some((w) => w.imagePullSecret === "ghcr-pull-secret"))
    yield secret(g, ns.name, "ghcr-pull-secret", "kubernetes.io/dockerconfigjson", ns.ageDays * DAY);
  for (const r of ns.helmReleases) {
    for (let v = Math.max(1, r.revision - 2); v <= r.revision; v++) {
      yield secret(
        g,
        ns.name,
        `sh.helm.release.v1.${r.name}.v${v}`,
        "helm.sh/release.v1",
        (r.revision - v + 1) * 20 * DAY,
        {
          name: r.name,
          owner: "helm",
          status: v === r.revision ? "deployed" : "superseded",
          version: String(v),
        },
      );
    }
  }
}

function* rbac(g: Gen, ns: NamespacePlan, ageMs: number): Generator<KubeObject> {
  const rg = "rbac.authorization.k8s.io";
  if (ns.teamRbac) {
    yield {
      apiVersion: `${rg}/v1`,
      kind: "Role",
      metadata: meta(g, { kind: "Role", ns: ns.name, name: "developer", ageMs }),
      rules: [
        {
          apiGroups: [""],
          resources: ["pods", "pods/log", "services", "configmaps", "events"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["apps"],
          resources: ["deployments", "statefulsets", "replicasets"],
          verbs: ["get", "list", "watch", "patch"],
        },
        { apiGroups: [""], resources: ["pods/portforward"], verbs: ["create"] },
      ],
    };
    yield {
      apiVersion: `${rg}/v1`,
      kind: "RoleBinding",
      metadata: meta(g, { kind: "RoleBinding", ns: ns.name, name: "developers", ageMs }),
      roleRef: { apiGroup: rg, kind: "Role", name: "developer" },
      subjects: [{ apiGroup: rg, kind: "Group", name: ns.labels.team ?? `team-${ns.name}` }],
    };
  }
  for (const w of ns.workloads) {
    if (w.kind !== "StatefulSet" || !w.ownServiceAccount) continue;
    const name = `${w.name}-leader-election`;
    yield {
      apiVersion: `${rg}/v1`,
      kind: "Role",
      metadata: meta(g, { kind: "Role", ns: ns.name, name, ageMs: w.ageDays * DAY }),
      rules: [
        {
          apiGroups: ["coordination.k8s.io"],
          resources: ["leases"],
          verbs: ["get", "list", "watch", "create", "update", "patch"],
        },
      ],
    };
    yield {
      apiVersion: `${rg}/v1`,
      kind: "RoleBinding",
      metadata: meta(g, { kind: "RoleBinding", ns: ns.name, name, ageMs: w.ageDays * DAY }),
      roleRef: { apiGroup: rg, kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name: w.serviceAccount, namespace: ns.name }],
    };
  }
  for (const b of ns.brokenRoleBindings) {
    yield {
      apiVersion: `${rg}/v1`,
      kind: "RoleBinding",
      metadata: meta(g, { kind: "RoleBinding", ns: ns.name, name: b.name, ageMs: 90 * DAY }),
      roleRef: { apiGroup: rg, kind: "ClusterRole", name: "edit" },
      subjects: [{ kind: "ServiceAccount", name: b.serviceAccount, namespace: ns.name }],
    };
  }
}

function* networkPolicies(g: Gen, ns: NamespacePlan, ageMs: number): Generator<KubeObject> {
  if (!ns.networkPolicies) return;
  const np = (name: string, spec: object): KubeObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(g, { kind: "NetworkPolicy", ns: ns.name, name, ageMs, generation: 1 }),
    spec,
  });
  yield np("default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] });
  yield np("allow-same-namespace", {
    podSelector: {},
    ingress: [{ from: [{ podSelector: {} }] }],
    policyTypes: ["Ingress"],
  });
  yield np("allow-ingress-nginx", {
    podSelector: {},
    ingress: [
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }] },
    ],
    policyTypes: ["Ingress"],
  });
  yield np("allow-prometheus-scrape", {
    podSelector: {},
    ingress: [
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
    ],
    policyTypes: ["Ingress"],
  });
}

function limitRange(g: Gen, ns: NamespacePlan, ageMs: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: meta(g, { kind: "LimitRange", ns: ns.name, name: "default-limits", ageMs }),
    spec: {
      limits: [
        {
          type: "Container",
          default: { cpu: "500m", memory: "512Mi" },
          defaultRequest: { cpu: "100m", memory: "128Mi" },
          max: { cpu: "8", memory: "32Gi" },
        },
      ],
    },
  };
}

function* claims(g: Gen, nse: NsEmit): Generator<KubeObject> {
  const ns = nse.plan;
  for (const c of namespaceClaims(g.seed, ns)) {
    const name = c.name;
    const uid = uidOf(g.seed, "PersistentVolumeClaim", ns.name, name);
    const ageMs = c.ageDays * DAY;
    const metadata = meta(g, {
      kind: "PersistentVolumeClaim",
      ns: ns.name,
      name,
      ageMs,
      annotations: c.bound
        ? {
            "pv.kubernetes.io/bind-completed": "yes",
            "pv.kubernetes.io/bound-by-controller": "yes",
            "volume.beta.kubernetes.io/storage-provisioner": provisioner(c.storageClass),
            "volume.kubernetes.io/storage-provisioner": provisioner(c.storageClass),
          }
        : {
            "volume.beta.kubernetes.io/storage-provisioner": provisioner(c.storageClass),
            "volume.kubernetes.io/storage-provisioner": provisioner(c.storageClass),
          },
    });
    metadata.finalizers = ["kubernetes.io/pvc-protection"];
    if (name.startsWith("data-"))
      metadata.labels = { "app.kubernetes.io/name": name.replace(/^data-/, "").replace(/-\d+$/, "") };
    const spec: Record<string, unknown> = {
      accessModes: [c.accessMode],
      resources: { requests: { storage: `${c.sizeGi}Gi` } },
      storageClassName: c.storageClass,
      volumeMode: "Filesystem",
    };
    if (c.bound) spec.volumeName = pvName(g.seed, ns.name, name);
    yield {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata,
      spec,
      status: c.bound
        ? { phase: "Bound", accessModes: [c.accessMode], capacity: { storage: `${c.sizeGi}Gi` } }
        : { phase: "Pending" },
    };
    if (!c.bound) {
      nse.events.push(
        event(g, {
          ns: ns.name,
          involved: { apiVersion: "v1", kind: "PersistentVolumeClaim", name, uid },
          component: "efs.csi.aws.com_efs-csi-controller-6c7d9f8b5-x2kqp_3f1c0a",
          type: "Warning",
          reason: "ProvisioningFailed",
          message: `failed to provision volume with StorageClass "${c.storageClass}": rpc error: code = Internal desc = Failed to create Access point in File System fs-0d5a3c1e7b9f24680 : Failed to create access point: AccessPointLimitExceeded: You have reached the maximum number of access points (1000) for your file system`,
          count: 148,
          firstAgoMs: ageMs - MINUTE,
          lastAgoMs: 2 * MINUTE,
        }),
      );
    }
  }
}

export function provisioner(storageClass: string): string {
  if (storageClass === "efs-sc") return "efs.csi.aws.com";
  if (storageClass === "gp2") return "kubernetes.io/aws-ebs";
  return "ebs.csi.aws.com";
}

function quota(g: Gen, nse: NsEmit, ageMs: number): KubeObject {
  const u = nse.used;
  const roundCpu = (m: number) => Math.max(2000, Math.ceil((m * 1.6) / 1000) * 1000);
  const roundMem = (b: number) => Math.max(4 * Gi, Math.ceil((b * 1.6) / Gi) * Gi);
  const hard = {
    "limits.cpu": cpuQty(roundCpu(u.cpuLim)),
    "limits.memory": memQty(roundMem(u.memLim)),
    pods: String(Math.max(20, Math.ceil((u.pods * 1.5) / 10) * 10)),
    "requests.cpu": cpuQty(roundCpu(u.cpuReq)),
    "requests.memory": memQty(roundMem(u.memReq)),
  };
  const used = {
    "limits.cpu": cpuQty(u.cpuLim),
    "limits.memory": memQty(Math.round(u.memLim / Mi) * Mi),
    pods: String(u.pods),
    "requests.cpu": cpuQty(u.cpuReq),
    "requests.memory": memQty(Math.round(u.memReq / Mi) * Mi),
  };
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: meta(g, { kind: "ResourceQuota", ns: nse.plan.name, name: "compute-quota", ageMs }),
    spec: { hard },
    status: { hard, used },
  };
}

function* leases(g: Gen, ns: string): Generator<KubeObject> {
  const lease = (
    name: string,
    holder: string,
    renewAgoMs: number,
    duration: number,
    owner?: { name: string },
  ): KubeObject => ({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: meta(g, {
      kind: "Lease",
      ns,
      name,
      ageMs: 400 * DAY,
      owner: owner
        ? { apiVersion: "v1", kind: "Node", name: owner.name, uid: uidOf(g.seed, "Node", "", owner.name) }
        : undefined,
    }),
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: duration,
      renewTime: `${ago(renewAgoMs).replace("Z", "")}.${String(renewAgoMs % 1000).padStart(3, "0")}000Z`,
    },
  });
  if (ns === "kube-node-lease") {
    for (const n of g.nodes) {
      const renew =
        n.health === "not-ready" ? 2 * HOUR + 15 * MINUTE : (hashParts(g.seed, n.name) % 10_000) + 100;
      const l = lease(n.name, n.name, renew, 40, n);
      (l.metadata as Record<string, unknown>).creationTimestamp = ago(n.ageMs - 30 * SECOND);
      yield l;
    }
  } else if (ns === "kube-system") {
    yield lease(
      "kube-controller-manager",
      `ip-10-0-1-17.ec2.internal_${hexFromKey(g.seed, "kcm", 8)}`,
      1200,
      15,
    );
    yield lease("kube-scheduler", `ip-10-0-65-9.ec2.internal_${hexFromKey(g.seed, "sched", 8)}`, 800, 15);
    yield lease(
      "cloud-controller-manager",
      `ip-10-0-129-30.ec2.internal_${hexFromKey(g.seed, "ccm", 8)}`,
      1500,
      15,
    );
    for (let i = 0; i < 3; i++)
      yield lease(
        `apiserver-${hexFromKey(g.seed, `apiserver-${i}`, 26)}`,
        `apiserver-${hexFromKey(g.seed, `apiserver-${i}`, 26)}_${hexFromKey(g.seed, `as${i}`, 8)}`,
        2000 + i * 1000,
        3600,
      );
  }
}

/** Everything in one namespace, in a fixed order; the namespace object itself is cluster-scoped. */
export function* emitNamespace(g: Gen, ns: NamespacePlan): Generator<KubeObject> {
  const ageMs = ns.ageDays * DAY;
  const nse: NsEmit = { plan: ns, events: [], used: { cpuReq: 0, memReq: 0, cpuLim: 0, memLim: 0, pods: 0 } };
  yield* serviceAccounts(g, ns, ageMs);
  yield* configMaps(g, ns, ageMs);
  yield* secrets(g, ns);
  yield* rbac(g, ns, ageMs);
  yield* networkPolicies(g, ns, ageMs);
  if (ns.limitRange) yield limitRange(g, ns, ageMs);
  yield* claims(g, nse);
  for (const w of ns.workloads) yield* emitWorkload(g, nse, w);
  yield* vulnerabilityReports(g, ns);
  for (const s of ns.services) {
    yield service(g, ns.name, s, s.selector ?? {}, 120 * DAY);
    yield* endpointSlices(g, ns.name, s, [], 120 * DAY);
  }
  for (const i of ns.ingresses) yield ingress(g, ns.name, i, i.service ?? i.name, 80, 60 * DAY);
  if (ns.quota) yield quota(g, nse, ageMs);
  yield* nse.events;
  if (ns.name === "default") yield* g.nodeEvents;
  yield* leases(g, ns.name);
}
