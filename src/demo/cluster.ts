/** Cluster-scoped objects: Namespaces, StorageClasses, PersistentVolumes, cluster RBAC, CRDs. */
import type { KubeObject } from "../state/raw.js";
import { DAY, HOUR, MINUTE, ago, uidOf } from "./format.js";
import type { Gen } from "./gen.js";
import { ZONES } from "./nodes.js";
import type { NamespacePlan } from "./plan.js";
import { hexFromKey } from "./random.js";
import { meta, event } from "./objects.js";
import { namespaceClaims, provisioner, pvName } from "./namespace.js";
import { CLUSTER_AGE_DAYS } from "./scale.js";
import { NOT_READY_NODE, PRESSURE_NODE } from "./nodes.js";

export function namespaceObject(g: Gen, ns: NamespacePlan): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: meta(g, {
      kind: "Namespace",
      ns: "",
      name: ns.name,
      ageMs: ns.ageDays * DAY,
      labels: { "kubernetes.io/metadata.name": ns.name, ...ns.labels },
    }),
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
}

export function* storageClasses(g: Gen): Generator<KubeObject> {
  const sc = (
    name: string,
    prov: string,
    params: Record<string, string>,
    binding: string,
    isDefault = false,
  ): KubeObject => ({
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: meta(g, {
      kind: "StorageClass",
      ns: "",
      name,
      ageMs: 400 * DAY,
      ...(isDefault ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } : {}),
    }),
    provisioner: prov,
    parameters: params,
    reclaimPolicy: "Delete",
    allowVolumeExpansion: prov !== "kubernetes.io/aws-ebs",
    volumeBindingMode: binding,
  });
  yield sc(
    "gp3",
    "ebs.csi.aws.com",
    { type: "gp3", encrypted: "true", fsType: "ext4" },
    "WaitForFirstConsumer",
    true,
  );
  yield sc("gp2", "kubernetes.io/aws-ebs", { type: "gp2", fsType: "ext4" }, "WaitForFirstConsumer");
  yield sc(
    "io2",
    "ebs.csi.aws.com",
    { type: "io2", iopsPerGB: "50", encrypted: "true" },
    "WaitForFirstConsumer",
  );
  yield sc(
    "efs-sc",
    "efs.csi.aws.com",
    { provisioningMode: "efs-ap", fileSystemId: "fs-0d5a3c1e7b9f24680", directoryPerms: "700" },
    "Immediate",
  );
}

/** One PersistentVolume per bound claim of every namespace, named as the CSI provisioner names them. */
export function* persistentVolumes(g: Gen, namespaces: Iterable<NamespacePlan>): Generator<KubeObject> {
  for (const ns of namespaces) {
    for (const c of namespaceClaims(g.seed, ns)) {
      if (!c.bound) continue;
      const name = pvName(g.seed, ns.name, c.name);
      const prov = provisioner(c.storageClass);
      const spec: Record<string, unknown> = {
        accessModes: [c.accessMode],
        capacity: { storage: `${c.sizeGi}Gi` },
        claimRef: {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          name: c.name,
          namespace: ns.name,
          uid: uidOf(g.seed, "PersistentVolumeClaim", ns.name, c.name),
        },
        csi:
          prov === "efs.csi.aws.com"
            ? { driver: prov, volumeHandle: `fs-0d5a3c1e7b9f24680::fsap-0${hexFromKey(g.seed, name, 16)}` }
            : {
                driver: prov,
                fsType: "ext4",
                volumeHandle: `vol-0${hexFromKey(g.seed, name, 16)}`,
                volumeAttributes: {
                  "storage.kubernetes.io/csiProvisionerIdentity": "1731000000000-8081-ebs.csi.aws.com",
                },
              },
        persistentVolumeReclaimPolicy: "Delete",
        storageClassName: c.storageClass,
        volumeMode: "Filesystem",
      };
      if (c.zone !== undefined) {
        spec.nodeAffinity = {
          required: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  {
                    key: "topology.kubernetes.io/zone",
                    operator: "In",
                    values: [ZONES[c.zone] ?? "us-east-1a"],
                  },
                ],
              },
            ],
          },
        };
      }
      const metadata = meta(g, {
        kind: "PersistentVolume",
        ns: "",
        name,
        ageMs: c.ageDays * DAY - MINUTE,
        annotations: {
          "pv.kubernetes.io/provisioned-by": prov,
          "volume.kubernetes.io/provisioner-deletion-secret-name": "",
          "volume.kubernetes.io/provisioner-deletion-secret-namespace": "",
        },
      });
      metadata.finalizers = [
        "external-provisioner.volume.kubernetes.io/finalizer",
        "kubernetes.io/pv-protection",
      ];
      yield {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata,
        spec,
        status: { phase: "Bound", lastPhaseTransitionTime: ago(c.ageDays * DAY - MINUTE) },
      };
    }
  }
}

const RG = "rbac.authorization.k8s.io";

/** [name, rules summary] of the ClusterRoles a real EKS cluster with these add-ons has. */
const CLUSTER_ROLES: readonly [string, object[]][] = [
  [
    "cluster-admin",
    [
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      { nonResourceURLs: ["*"], verbs: ["*"] },
    ],
  ],
  ["admin", [{ apiGroups: ["", "apps", "batch"], resources: ["*"], verbs: ["*"] }]],
  [
    "edit",
    [
      {
        apiGroups: ["", "apps", "batch", "networking.k8s.io"],
        resources: ["*"],
        verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
      },
    ],
  ],
  [
    "view",
    [
      {
        // The real view role lists its resources: Secrets are deliberately not among them.
        apiGroups: ["", "apps", "batch"],
        resources: [
          "pods",
          "services",
          "endpoints",
          "configmaps",
          "persistentvolumeclaims",
          "deployments",
          "replicasets",
          "statefulsets",
          "daemonsets",
          "jobs",
          "cronjobs",
        ],
        verbs: ["get", "list", "watch"],
      },
    ],
  ],
  [
    "system:node-proxier",
    [{ apiGroups: [""], resources: ["endpoints", "services", "nodes"], verbs: ["get", "list", "watch"] }],
  ],
  [
    "system:coredns",
    [
      {
        apiGroups: ["", "discovery.k8s.io"],
        resources: ["endpoints", "services", "pods", "namespaces", "endpointslices"],
        verbs: ["list", "watch"],
      },
    ],
  ],
  [
    "aws-node",
    [
      {
        apiGroups: ["", "crd.k8s.amazonaws.com"],
        resources: ["pods", "nodes", "namespaces", "eniconfigs"],
        verbs: ["get", "list", "watch"],
      },
    ],
  ],
  ["ebs-csi-node-role", [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "patch"] }]],
  [
    "system:metrics-server",
    [{ apiGroups: [""], resources: ["nodes/metrics", "pods", "nodes"], verbs: ["get", "list", "watch"] }],
  ],
  [
    "karpenter",
    [
      {
        apiGroups: ["karpenter.sh"],
        resources: ["nodepools", "nodeclaims"],
        verbs: ["get", "list", "watch", "create", "patch", "delete"],
      },
    ],
  ],
  [
    "aws-load-balancer-controller-role",
    [
      {
        apiGroups: ["elbv2.k8s.aws", "networking.k8s.io"],
        resources: ["targetgroupbindings", "ingresses"],
        verbs: ["get", "list", "watch", "patch", "update"],
      },
    ],
  ],
  [
    "prometheus-k8s",
    [
      {
        apiGroups: [""],
        resources: ["nodes/metrics", "services", "endpoints", "pods"],
        verbs: ["get", "list", "watch"],
      },
      { nonResourceURLs: ["/metrics"], verbs: ["get"] },
    ],
  ],
  ["kube-state-metrics", [{ apiGroups: ["*"], resources: ["*"], verbs: ["list", "watch"] }]],
  ["prometheus-operator", [{ apiGroups: ["monitoring.coreos.com"], resources: ["*"], verbs: ["*"] }]],
  ["fluent-bit", [{ apiGroups: [""], resources: ["namespaces", "pods"], verbs: ["get", "list", "watch"] }]],
  [
    "ingress-nginx",
    [
      {
        apiGroups: ["", "networking.k8s.io"],
        resources: ["services", "endpoints", "ingresses", "secrets"],
        verbs: ["get", "list", "watch"],
      },
    ],
  ],
  ["cert-manager-controller", [{ apiGroups: ["cert-manager.io"], resources: ["*"], verbs: ["*"] }]],
  [
    "trivy-operator",
    [
      { apiGroups: ["aquasecurity.github.io"], resources: ["*"], verbs: ["*"] },
      { apiGroups: [""], resources: ["pods", "secrets"], verbs: ["get", "list", "watch"] },
    ],
  ],
  [
    "ci-cd-deployer",
    [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "patch", "update"] }],
  ],
];

/** [binding, clusterRole, subjects (namespace/serviceaccount or group:name)] */
const CLUSTER_ROLE_BINDINGS: readonly [string, string, string[]][] = [
  ["cluster-admin", "cluster-admin", ["group:system:masters"]],
  ["eks:kube-proxy", "system:node-proxier", ["kube-system/kube-proxy"]],
  ["system:coredns", "system:coredns", ["kube-system/coredns"]],
  ["aws-node", "aws-node", ["kube-system/aws-node"]],
  ["ebs-csi-node-binding", "ebs-csi-node-role", ["kube-system/ebs-csi-node-sa"]],
  ["metrics-server:system:auth-delegator", "system:metrics-server", ["kube-system/metrics-server"]],
  ["karpenter", "karpenter", ["kube-system/karpenter"]],
  [
    "aws-load-balancer-controller-rolebinding",
    "aws-load-balancer-controller-role",
    ["kube-system/aws-load-balancer-controller"],
  ],
  ["prometheus-k8s", "prometheus-k8s", ["monitoring/prometheus-k8s"]],
  ["kube-state-metrics", "kube-state-metrics", ["monitoring/kube-state-metrics"]],
  ["prometheus-operator", "prometheus-operator", ["monitoring/prometheus-operator"]],
  ["fluent-bit", "fluent-bit", ["logging/fluent-bit"]],
  ["ingress-nginx", "ingress-nginx", ["ingress-nginx/ingress-nginx-controller"]],
  ["cert-manager-controller", "cert-manager-controller", ["cert-manager/cert-manager"]],
  ["velero", "cluster-admin", ["velero/velero"]],
  ["trivy-operator", "trivy-operator", ["trivy-system/trivy-operator"]],
  ["platform-admins", "cluster-admin", ["group:platform-admins"]],
  ["developers-view", "view", ["group:developers"]],
  ["ci-cd-deployer", "ci-cd-deployer", ["group:ci-cd"]],
];

export function* clusterRbac(g: Gen): Generator<KubeObject> {
  for (const [name, rules] of CLUSTER_ROLES) {
    const system = name.startsWith("system:") || ["cluster-admin", "admin", "edit", "view"].includes(name);
    yield {
      apiVersion: `${RG}/v1`,
      kind: "ClusterRole",
      metadata: meta(g, {
        kind: "ClusterRole",
        ns: "",
        name,
        ageMs: CLUSTER_AGE_DAYS * DAY,
        ...(system
          ? {
              labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
              annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
            }
          : {}),
      }),
      rules,
    };
  }
  for (const [name, role, subjects] of CLUSTER_ROLE_BINDINGS) {
    yield {
      apiVersion: `${RG}/v1`,
      kind: "ClusterRoleBinding",
      metadata: meta(g, { kind: "ClusterRoleBinding", ns: "", name, ageMs: CLUSTER_AGE_DAYS * DAY }),
      roleRef: { apiGroup: RG, kind: "ClusterRole", name: role },
      subjects: subjects.map((s) =>
        s.startsWith("group:")
          ? { apiGroup: RG, kind: "Group", name: s.slice(6) }
          : { kind: "ServiceAccount", namespace: s.split("/")[0], name: s.split("/")[1] },
      ),
    };
  }
}

/** [group, kind, plural, scope, versions] of the CRDs the add-ons install. */
const CRDS: readonly [string, string, string, "Namespaced" | "Cluster", string[]][] = [
  ["aquasecurity.github.io", "VulnerabilityReport", "vulnerabilityreports", "Namespaced", ["v1alpha1"]],
  ["aquasecurity.github.io", "ConfigAuditReport", "configauditreports", "Namespaced", ["v1alpha1"]],
  ["velero.io", "Backup", "backups", "Namespaced", ["v1"]],
  ["velero.io", "Restore", "restores", "Namespaced", ["v1"]],
  ["velero.io", "Schedule", "schedules", "Namespaced", ["v1"]],
  ["litmuschaos.io", "ChaosEngine", "chaosengines", "Namespaced", ["v1alpha1"]],
  ["chaos-mesh.org", "PodChaos", "podchaos", "Namespaced", ["v1alpha1"]],
  ["monitoring.coreos.com", "ServiceMonitor", "servicemonitors", "Namespaced", ["v1"]],
  ["monitoring.coreos.com", "PrometheusRule", "prometheusrules", "Namespaced", ["v1"]],
  ["cert-manager.io", "Certificate", "certificates", "Namespaced", ["v1"]],
  ["karpenter.sh", "NodePool", "nodepools", "Cluster", ["v1"]],
];

export function* crds(g: Gen): Generator<KubeObject> {
  for (const [group, kind, plural, scope, versions] of CRDS) {
    const name = `${plural}.${group}`;
    const singular = kind.toLowerCase();
    yield {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: meta(g, { kind: "CustomResourceDefinition", ns: "", name, ageMs: 300 * DAY, generation: 1 }),
      spec: {
        group,
        names: { kind, listKind: `${kind}List`, plural, singular },
        scope,
        versions: versions.map((v, i) => ({
          name: v,
          served: true,
          storage: i === versions.length - 1,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          subresources: { status: {} },
        })),
        conversion: { strategy: "None" },
      },
      status: {
        acceptedNames: { kind, listKind: `${kind}List`, plural, singular },
        conditions: [
          {
            type: "NamesAccepted",
            status: "True",
            reason: "NoConflicts",
            message: "no conflicts found",
            lastTransitionTime: ago(300 * DAY),
          },
          {
            type: "Established",
            status: "True",
            reason: "InitialNamesAccepted",
            message: "the initial names have been accepted",
            lastTransitionTime: ago(300 * DAY),
          },
        ],
        storedVersions: [versions[versions.length - 1]],
      },
    };
  }
}

/** Events about the planted node problems (emitted with the "default" namespace). */
export function nodeProblemEvents(g: Gen): void {
  for (const n of g.nodes) {
    const involved = { apiVersion: "v1", kind: "Node", name: n.name, uid: uidOf(g.seed, "Node", "", n.name) };
    if (n.health === "not-ready") {
      g.nodeEvents.push(
        event(g, {
          ns: "default",
          involved,
          component: "node-controller",
          type: "Normal",
          reason: "NodeNotReady",
          message: `Node ${n.name} status is now: NodeNotReady`,
          count: 1,
          firstAgoMs: 2 * HOUR + 14 * MINUTE,
          lastAgoMs: 2 * HOUR + 14 * MINUTE,
        }),
      );
    } else if (n.health === "pressure") {
      g.nodeEvents.push(
        event(g, {
          ns: "default",
          involved,
          component: "kubelet",
          host: n.name,
          type: "Warning",
          reason: "EvictionThresholdMet",
          message: "Attempting to reclaim memory",
          count: 6,
          firstAgoMs: 38 * MINUTE,
          lastAgoMs: 3 * MINUTE,
        }),
        event(g, {
          ns: "default",
          involved,
          component: "kubelet",
          host: n.name,
          type: "Normal",
          reason: "NodeHasInsufficientMemory",
          message: `Node ${n.name} status is now: NodeHasInsufficientMemory`,
          count: 1,
          firstAgoMs: 38 * MINUTE,
          lastAgoMs: 38 * MINUTE,
        }),
        event(g, {
          ns: "default",
          involved,
          component: "kubelet",
          host: n.name,
          type: "Normal",
          reason: "NodeHasDiskPressure",
          message: `Node ${n.name} status is now: NodeHasDiskPressure`,
          count: 1,
          firstAgoMs: 31 * MINUTE,
          lastAgoMs: 31 * MINUTE,
        }),
      );
    }
  }
}

export { NOT_READY_NODE, PRESSURE_NODE };
