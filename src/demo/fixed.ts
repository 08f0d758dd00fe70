/**
 * The fixed part of the demo cluster: system add-ons and the namespaces with planted
 * problems (and the one healthy namespace). Present at every scale with the same names.
 */
import type { ContainerPlan, NamespacePlan, WorkloadPlan } from "./plan.js";
import { Gi, Mi, container, emptyNamespace, workload } from "./plan.js";

export const ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const EKS_ECR = "602401143452.dkr.ecr.us-east-1.amazonaws.com";
const CRITICAL = [{ key: "CriticalAddonsOnly", operator: "Exists" }];
const EVERYWHERE = [{ operator: "Exists" }];

/** The namespace where nothing is wrong at all. */
export const HEALTHY_NAMESPACE = "payments";

function labels(
  team?: string,
  costCenter?: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...(team ? { team } : {}),
    ...(costCenter ? { "cost-center": costCenter } : {}),
    ...extra,
  };
}

const SYSTEM = labels("platform", "cc-0100");

function sys(
  kind: WorkloadPlan["kind"],
  name: string,
  partOf: string,
  p: Partial<WorkloadPlan>,
): WorkloadPlan {
  return workload(kind, name, {
    partOf,
    fixedNames: true,
    ageDays: 180,
    revision: 4,
    oldRevisions: 3,
    pool: "system",
    tolerations: CRITICAL,
    ...p,
  });
}

function kubeSystem(): NamespacePlan {
  const ns = emptyNamespace("kube-system", {}, 412);
  ns.workloads.push(
    sys("DaemonSet", "kube-proxy", "kube-proxy", {
      tolerations: EVERYWHERE,
      hostNetwork: true,
      priorityClass: "system-node-critical",
      containers: [
        container("kube-proxy", `${EKS_ECR}/eks/kube-proxy:v1.34.2-minimal-eksbuild.2`, {
          cpuReq: 100,
          cpuLim: undefined,
          memReq: undefined,
          memLim: undefined,
          probes: false,
          security: "privileged",
          mounts: [
            { volume: "varlog", path: "/var/log" },
            { volume: "lib-modules", path: "/lib/modules", readOnly: true },
          ],
        }),
      ],
      volumes: [
        { name: "varlog", type: "hostPath", path: "/var/log" },
        { name: "lib-modules", type: "hostPath", path: "/lib/modules" },
        { name: "config", type: "configMap", ref: "kube-proxy-config" },
      ],
      configMaps: ["kube-proxy-config"],
      serviceAccount: "kube-proxy",
    }),
    sys("DaemonSet", "aws-node", "amazon-vpc-cni", {
      tolerations: EVERYWHERE,
      hostNetwork: true,
      priorityClass: "system-node-critical",
      containers: [
        container("aws-node", `${EKS_ECR}/amazon-k8s-cni:v1.20.4-eksbuild.1`, {
          cpuReq: 25,
          cpuLim: undefined,
          memReq: undefined,
          memLim: undefined,
          security: "root",
          port: 61678,
          mounts: [{ volume: "cni-bin-dir", path: "/host/opt/cni/bin" }],
        }),
        container("aws-eks-nodeagent", `${EKS_ECR}/amazon/aws-network-policy-agent:v1.2.7-eksbuild.1`, {
          cpuReq: 25,
          cpuLim: undefined,
          memReq: undefined,
          memLim: undefined,
          probes: false,
          security: "privileged",
        }),
      ],
      volumes: [{ name: "cni-bin-dir", type: "hostPath", path: "/opt/cni/bin" }],
      serviceAccount: "aws-node",
    }),
    sys("DaemonSet", "ebs-csi-node", "aws-ebs-csi-driver", {
      tolerations: EVERYWHERE,
      priorityClass: "system-node-critical",
      containers: [
        container("ebs-plugin", "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.48.0", {
          cpuReq: 10,
          memReq: 40 * Mi,
          cpuLim: undefined,
          memLim: 256 * Mi,
          security: "privileged",
          port: 9808,
          mounts: [{ volume: "kubelet-dir", path: "/var/lib/kubelet" }],
        }),
        container(
          "node-driver-registrar",
          "public.ecr.aws/csi-components/csi-node-driver-registrar:v2.14.0-eksbuild.4",
          {
            cpuReq: 10,
            memReq: 40 * Mi,
            cpuLim: undefined,
            memLim: 256 * Mi,
          },
        ),
        container("liveness-probe", "public.ecr.aws/csi-components/livenessprobe:v2.16.0-eksbuild.5", {
          cpuReq: 10,
          memReq: 40 * Mi,
          cpuLim: undefined,
          memLim: 256 * Mi,
          probes: false,
        }),
      ],
      volumes: [{ name: "kubelet-dir", type: "hostPath", path: "/var/lib/kubelet" }],
      serviceAccount: "ebs-csi-node-sa",
    }),
    sys("DaemonSet", "nvidia-device-plugin-daemonset", "nvidia-device-plugin", {
      tolerations: EVERYWHERE,
      daemonPools: ["gpu"],
      priorityClass: "system-node-critical",
      containers: [
        container("nvidia-device-plugin-ctr", "nvcr.io/nvidia/k8s-device-plugin:v0.17.4", {
          cpuReq: 50,
          memReq: 64 * Mi,
          probes: false,
          security: "privileged",
          mounts: [{ volume: "device-plugin", path: "/var/lib/kubelet/device-plugins" }],
        }),
      ],
      volumes: [{ name: "device-plugin", type: "hostPath", path: "/var/lib/kubelet/device-plugins" }],
      serviceAccount: "default",
      ownServiceAccount: false,
    }),
    sys("Deployment", "coredns", "coredns", {
      replicas: 2,
      spread: true,
      priorityClass: "system-cluster-critical",
      containers: [
        container("coredns", `${EKS_ECR}/eks/coredns:v1.12.3-eksbuild.1`, {
          cpuReq: 100,
          memReq: 70 * Mi,
          cpuLim: undefined,
          memLim: 170 * Mi,
          port: 53,
          mounts: [{ volume: "config-volume", path: "/etc/coredns", readOnly: true }],
        }),
      ],
      volumes: [{ name: "config-volume", type: "configMap", ref: "coredns" }],
      configMaps: ["coredns"],
      services: [{ name: "kube-dns", type: "ClusterIP", port: 53, targetPort: 53 }],
      pdb: { maxUnavailable: 1 },
    }),
    sys("Deployment", "metrics-server", "metrics-server", {
      replicas: 2,
      containers: [
        container("metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.8.0", {
          cpuReq: 100,
          memReq: 200 * Mi,
          cpuLim: undefined,
          memLim: undefined,
          port: 10250,
        }),
      ],
      services: [{ name: "metrics-server", type: "ClusterIP", port: 443, targetPort: 10250 }],
      pdb: { minAvailable: 1 },
    }),
    sys("Deployment", "aws-load-balancer-controller", "aws-load-balancer-controller", {
      replicas: 2,
      containers: [
        container("aws-load-balancer-controller", "public.ecr.aws/eks/aws-load-balancer-controller:v2.14.0", {
          cpuReq: 100,
          memReq: 128 * Mi,
          cpuLim: 200,
          memLim: 500 * Mi,
          port: 9443,
          mounts: [{ volume: "cert", path: "/tmp/k8s-webhook-server/serving-certs", readOnly: true }],
        }),
      ],
      volumes: [{ name: "cert", type: "secret", ref: "aws-load-balancer-tls" }],
      secrets: ["aws-load-balancer-tls"],
      services: [
        { name: "aws-load-balancer-webhook-service", type: "ClusterIP", port: 443, targetPort: 9443 },
      ],
    }),
    sys("Deployment", "karpenter", "karpenter", {
      replicas: 2,
      spread: true,
      containers: [
        container("controller", "public.ecr.aws/karpenter/controller:1.8.1", {
          cpuReq: 250,
          memReq: 512 * Mi,
          cpuLim: 1000,
          memLim: 1 * Gi,
          port: 8080,
        }),
      ],
      services: [{ name: "karpenter", type: "ClusterIP", port: 8080, targetPort: 8080 }],
      pdb: { maxUnavailable: 1 },
    }),
    sys("Deployment", "ebs-csi-controller", "aws-ebs-csi-driver", {
      replicas: 2,
      containers: [
        container("ebs-plugin", "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.48.0", {
          cpuReq: 10,
          memReq: 40 * Mi,
          port: 9808,
        }),
        container("csi-provisioner", "public.ecr.aws/csi-components/csi-provisioner:v5.3.0-eksbuild.4", {
          cpuReq: 10,
          memReq: 40 * Mi,
          probes: false,
        }),
        container("csi-attacher", "public.ecr.aws/csi-components/csi-attacher:v4.9.0-eksbuild.4", {
          cpuReq: 10,
          memReq: 40 * Mi,
          probes: false,
        }),
      ],
      serviceAccount: "ebs-csi-controller-sa",
      pdb: { maxUnavailable: 1 },
    }),
  );
  ns.helmReleases.push(
    { name: "aws-load-balancer-controller", revision: 3 },
    { name: "karpenter", revision: 7 },
  );
  return ns;
}

function addon(nsName: string, p: Partial<NamespacePlan>, workloads: WorkloadPlan[]): NamespacePlan {
  const ns = emptyNamespace(nsName, SYSTEM, 400);
  Object.assign(ns, p);
  ns.workloads.push(...workloads);
  return ns;
}

function app(
  kind: WorkloadPlan["kind"],
  name: string,
  partOf: string,
  p: Partial<WorkloadPlan>,
): WorkloadPlan {
  return workload(kind, name, { partOf, fixedNames: true, pool: "general", ...p });
}

function monitoring(): NamespacePlan {
  const prom = "quay.io/prometheus";
  return addon(
    "monitoring",
    { helmReleases: [{ name: "kube-prometheus-stack", revision: 12 }], networkPolicies: true },
    [
      app("DaemonSet", "node-exporter", "kube-prometheus-stack", {
        tolerations: EVERYWHERE,
        hostNetwork: true,
        containers: [
          container("node-exporter", `${prom}/node-exporter:v1.9.1`, {
            cpuReq: 50,
            memReq: 64 * Mi,
            cpuLim: 250,
            memLim: 180 * Mi,
            port: 9100,
            mounts: [
              { volume: "proc", path: "/host/proc", readOnly: true },
              { volume: "sys", path: "/host/sys", readOnly: true },
            ],
          }),
        ],
        volumes: [
          { name: "proc", type: "hostPath", path: "/proc" },
          { name: "sys", type: "hostPath", path: "/sys" },
        ],
        services: [{ name: "node-exporter", type: "ClusterIP", port: 9100, targetPort: 9100 }],
      }),
      app("StatefulSet", "prometheus-k8s", "kube-prometheus-stack", {
        replicas: 2,
        pool: "memory",
        preferMemoryPool: true,
        spread: true,
        claim: { sizeGi: 200, storageClass: "gp3" },
        containers: [
          container("prometheus", `${prom}/prometheus:v3.7.3`, {
            cpuReq: 1000,
            memReq: 8 * Gi,
            cpuLim: undefined,
            memLim: 12 * Gi,
            port: 9090,
            usage: "hot",
            mounts: [{ volume: "data", path: "/prometheus" }],
          }),
          container("config-reloader", `${prom}-operator/prometheus-config-reloader:v0.86.1`, {
            cpuReq: 10,
            memReq: 50 * Mi,
            probes: false,
          }),
        ],
        services: [{ name: "prometheus-k8s", type: "ClusterIP", port: 9090, targetPort: 9090 }],
        pdb: { maxUnavailable: 1 },
      }),
      app("StatefulSet", "alertmanager-main", "kube-prometheus-stack", {
        replicas: 2,
        claim: { sizeGi: 10, storageClass: "gp3" },
        spread: true,
        containers: [
          container("alertmanager", `${prom}/alertmanager:v0.28.1`, {
            cpuReq: 50,
            memReq: 128 * Mi,
            port: 9093,
            mounts: [{ volume: "data", path: "/alertmanager" }],
          }),
        ],
        services: [{ name: "alertmanager-main", type: "ClusterIP", port: 9093, targetPort: 9093 }],
        pdb: { maxUnavailable: 1 },
      }),
      app("Deployment", "grafana", "kube-prometheus-stack", {
        replicas: 1,
        containers: [
          container("grafana", "docker.io/grafana/grafana:12.2.1", {
            cpuReq: 100,
            memReq: 256 * Mi,
            port: 3000,
            secretEnv: ["GF_SECURITY_ADMIN_PASSWORD", "grafana-admin", "admin-password"],
          }),
        ],
        secrets: ["grafana-admin"],
        services: [{ name: "grafana", type: "ClusterIP", port: 80, targetPort: 3000 }],
        ingress: { name: "grafana", host: "grafana.demo.example.com", tls: true },
      }),
      app("Deployment", "kube-state-metrics", "kube-prometheus-stack", {
        replicas: 1,
        containers: [
          container("kube-state-metrics", "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0", {
            cpuReq: 100,
            memReq: 256 * Mi,
            port: 8080,
          }),
        ],
        services: [{ name: "kube-state-metrics", type: "ClusterIP", port: 8080, targetPort: 8080 }],
      }),
      app("Deployment", "prometheus-operator", "kube-prometheus-stack", {
        replicas: 1,
        containers: [
          container("prometheus-operator", `${prom}-operator/prometheus-operator:v0.86.1`, {
            cpuReq: 100,
            memReq: 128 * Mi,
            port: 8080,
          }),
        ],
      }),
    ],
  );
}

function logging(): NamespacePlan {
  return addon("logging", { helmReleases: [{ name: "fluent-bit", revision: 5 }] }, [
    app("DaemonSet", "fluent-bit", "fluent-bit", {
      tolerations: EVERYWHERE,
      containers: [
        container("fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:4.0.7", {
          cpuReq: 50,
          memReq: 64 * Mi,
          cpuLim: undefined,
          memLim: 256 * Mi,
          port: 2020,
          security: "default",
          mounts: [
            { volume: "varlog", path: "/var/log", readOnly: true },
            { volume: "config", path: "/fluent-bit/etc/conf", readOnly: true },
          ],
        }),
      ],
      volumes: [
        { name: "varlog", type: "hostPath", path: "/var/log" },
        { name: "config", type: "configMap", ref: "fluent-bit" },
      ],
      configMaps: ["fluent-bit"],
    }),
  ]);
}

function ingressNginx(): NamespacePlan {
  return addon(
    "ingress-nginx",
    { helmReleases: [{ name: "ingress-nginx", revision: 9 }], networkPolicies: false },
    [
      app("Deployment", "ingress-nginx-controller", "ingress-nginx", {
        replicas: 3,
        spread: true,
        containers: [
          container("controller", "registry.k8s.io/ingress-nginx/controller:v1.13.3", {
            cpuReq: 200,
            memReq: 256 * Mi,
            cpuLim: undefined,
            memLim: 1 * Gi,
            port: 80,
            security: "default",
          }),
        ],
        services: [{ name: "ingress-nginx-controller", type: "LoadBalancer", port: 443, targetPort: 80 }],
        hpa: { min: 3, max: 12, cpuTarget: 70 },
        pdb: { minAvailable: 2 },
      }),
    ],
  );
}

function simpleAddon(nsName: string, release: string, items: [string, string, number][]): NamespacePlan {
  return addon(
    nsName,
    { helmReleases: [{ name: release, revision: 4 }] },
    items.map(([name, image, port]) =>
      app("Deployment", name, release, {
        replicas: 1,
        containers: [
          container(name.replace(`${release}-`, "") || name, image, { cpuReq: 50, memReq: 128 * Mi, port }),
        ],
        services: [{ name, type: "ClusterIP", port, targetPort: port }],
      }),
    ),
  );
}

/** Pin an app image in the account registry. */
function ecr(path: string, tag: string): string {
  return `${ECR}/${path}:${tag}`;
}

function healthyApp(name: string, p: Partial<WorkloadPlan>, c: Partial<ContainerPlan>): WorkloadPlan {
  return app("Deployment", name, "payments", {
    replicas: 3,
    spread: true,
    automountToken: false,
    containers: [
      container("app", ecr(`payments/${name}`, "2.14.3"), {
        cpuReq: 200,
        cpuLim: 1000,
        memReq: 384 * Mi,
        memLim: 768 * Mi,
        port: 8080,
        ...c,
      }),
    ],
    pdb: { maxUnavailable: 1 },
    ...p,
  });
}

function payments(): NamespacePlan {
  const ns = emptyNamespace(
    HEALTHY_NAMESPACE,
    labels("payments", "cc-1042", {
      environment: "production",
      "pod-security.kubernetes.io/enforce": "restricted",
    }),
    300,
  );
  Object.assign(ns, { networkPolicies: true, quota: true, limitRange: true, teamRbac: true, healthy: true });
  ns.workloads.push(
    healthyApp(
      "payments-api",
      {
        replicas: 4,
        configMaps: ["payments-api-config"],
        secrets: ["payments-api-db"],
        // Credentials as read-only files, not env vars (container-secret-in-env).
        volumes: [{ name: "db-credentials", type: "secret", ref: "payments-api-db" }],
        services: [{ name: "payments-api", type: "ClusterIP", port: 80, targetPort: 8080 }],
        ingress: { name: "payments-api", host: "pay.demo.example.com", tls: true },
        hpa: { min: 3, max: 10, cpuTarget: 70 },
      },
      {
        envFromConfigMap: "payments-api-config",
        mounts: [{ volume: "db-credentials", path: "/etc/payments/db", readOnly: true }],
      },
    ),
    healthyApp(
      "payments-web",
      {
        services: [{ name: "payments-web", type: "ClusterIP", port: 80, targetPort: 8080 }],
        ingress: { name: "payments-web", host: "checkout-pay.demo.example.com", tls: true },
        pdb: { minAvailable: 2 },
      },
      { image: ecr("payments/payments-web", "2.14.3"), cpuReq: 100, memReq: 256 * Mi },
    ),
    healthyApp(
      "payments-worker",
      {
        replicas: 2,
        secrets: ["payments-worker-queue"],
        volumes: [{ name: "queue-token", type: "secret", ref: "payments-worker-queue" }],
      },
      { mounts: [{ volume: "queue-token", path: "/etc/payments/queue", readOnly: true }], port: 9090 },
    ),
    app("CronJob", "payments-reconcile", "payments", {
      automountToken: false,
      schedule: { cron: "15 * * * *", everyMin: 60, offsetMin: 15 },
      jobHistory: 3,
      ttl: 86400,
      containers: [
        container("reconcile", ecr("payments/reconcile", "2.14.3"), {
          probes: false,
          usage: "batch",
          cpuReq: 250,
          memReq: 256 * Mi,
        }),
      ],
    }),
  );
  return ns;
}

function checkout(): NamespacePlan {
  const ns = emptyNamespace(
    "checkout",
    labels("checkout", "cc-1107", { environment: "production", "istio-injection": "enabled" }),
    280,
  );
  Object.assign(ns, { networkPolicies: true, quota: true, limitRange: true, teamRbac: true });
  ns.workloads.push(
    app("Deployment", "cart-api", "checkout", {
      replicas: 3,
      faults: ["crashloop", "crashloop", undefined],
      configMaps: ["cart-api-config"],
      secrets: ["cart-api-redis"],
      containers: [
        container("cart-api", ecr("checkout/cart-api", "3.8.0"), {
          port: 8080,
          cpuReq: 250,
          memReq: 512 * Mi,
          memLim: 1 * Gi,
          envFromConfigMap: "cart-api-config",
          secretEnv: ["REDIS_PASSWORD", "cart-api-redis", "password"],
        }),
      ],
      services: [{ name: "cart-api", type: "ClusterIP", port: 80, targetPort: 8080 }],
      pdb: { maxUnavailable: 1 },
    }),
    app("Deployment", "recommendation-engine", "checkout", {
      replicas: 2,
      faults: ["oom", undefined],
      containers: [
        container("engine", ecr("checkout/recommendation-engine", "1.22.4"), {
          port: 8080,
          cpuReq: 500,
          cpuLim: 2000,
          memReq: 768 * Mi,
          memLim: 1 * Gi,
          usage: "leak",
        }),
      ],
      services: [{ name: "recommendation-engine", type: "ClusterIP", port: 80, targetPort: 8080 }],
      pdb: { maxUnavailable: 1 },
    }),
    app("Deployment", "checkout-web", "checkout", {
      replicas: 3,
      revision: 14,
      oldRevisions: 10,
      faults: [undefined, "restarts", undefined],
      containers: [
        container("web", ecr("checkout/checkout-web", "5.31.2"), {
          port: 3000,
          cpuReq: 200,
          memReq: 256 * Mi,
        }),
      ],
      services: [{ name: "checkout-web", type: "ClusterIP", port: 80, targetPort: 3000 }],
      ingress: { name: "checkout-web", host: "shop.demo.example.com", tls: true },
      pdb: { maxUnavailable: 1 },
    }),
  );
  return ns;
}

function search(): NamespacePlan {
  const ns = emptyNamespace("search", labels("search", "cc-1220", { environment: "production" }), 250);
  Object.assign(ns, { networkPolicies: true, quota: false, limitRange: true, teamRbac: true });
  ns.workloads.push(
    app("Deployment", "search-indexer", "search", {
      replicas: 3,
      revision: 5,
      oldRevisions: 3,
      rolloutStuck: true,
      containers: [
        container("indexer", ecr("search/search-indexer", "4.2.0-rc1"), {
          port: 8080,
          cpuReq: 500,
          memReq: 1 * Gi,
          memLim: 2 * Gi,
        }),
      ],
      pdb: { maxUnavailable: 1 },
    }),
    app("Deployment", "search-api", "search", {
      replicas: 6,
      containers: [
        container("api", ecr("search/search-api", "2.9.1"), {
          port: 8080,
          cpuReq: 500,
          cpuLim: 1000,
          memReq: 1 * Gi,
          memLim: 1536 * Mi,
          usage: "hot",
        }),
      ],
      services: [{ name: "search-api", type: "ClusterIP", port: 80, targetPort: 8080 }],
      hpa: { min: 2, max: 6, cpuTarget: 60, atMax: true },
      pdb: { maxUnavailable: 1 },
    }),
    app("Deployment", "search-frontend", "search", {
      replicas: 0,
      containers: [container("frontend", ecr("search/search-frontend", "1.4.0"), { port: 8080 })],
      services: [{ name: "search-public", type: "LoadBalancer", port: 443, targetPort: 8080 }],
    }),
    app("Deployment", "search-crawler", "search", {
      replicas: 1,
      faults: ["errimagepull"],
      containers: [container("crawler", "ghcr.io/acme-corp/search-crawler:2.0.1", { port: 8080 })],
    }),
  );
  return ns;
}

function orders(): NamespacePlan {
  const ns = emptyNamespace("orders", labels("orders", "cc-1133", { environment: "production" }), 330);
  Object.assign(ns, { networkPolicies: true, quota: true, limitRange: true, teamRbac: true });
  ns.workloads.push(
    app("StatefulSet", "orders-db", "orders", {
      replicas: 3,
      pool: "memory",
      preferMemoryPool: true,
      claim: { sizeGi: 100, storageClass: "gp3" },
      secrets: ["orders-db-credentials"],
      containers: [
        container("postgres", "docker.io/library/postgres:16.4", {
          port: 5432,
          cpuReq: 500,
          cpuLim: 2000,
          memReq: 2 * Gi,
          memLim: 4 * Gi,
          secretEnv: ["POSTGRES_PASSWORD", "orders-db-credentials", "password"],
          mounts: [{ volume: "data", path: "/var/lib/postgresql/data" }],
        }),
      ],
      services: [
        { name: "orders-db-headless", type: "Headless", port: 5432, targetPort: 5432 },
        { name: "orders-db", type: "ClusterIP", port: 5432, targetPort: 5432 },
      ],
      pdb: { minAvailable: 3 },
    }),
    app("Deployment", "invoice-service", "orders", {
      replicas: 1,
      containers: [container("invoice", ecr("orders/invoice-service", "1.7.3"), { port: 8080 })],
      services: [{ name: "invoice-service", type: "ClusterIP", port: 80, targetPort: 8080 }],
    }),
    app("Deployment", "orders-api", "orders", {
      replicas: 3,
      spread: true,
      containers: [
        container("api", ecr("orders/orders-api", "6.2.0"), {
          port: 8080,
          cpuReq: 250,
          memReq: 512 * Mi,
          memLim: 1 * Gi,
        }),
      ],
      services: [{ name: "orders-api", type: "ClusterIP", port: 80, targetPort: 8080 }],
      pdb: { maxUnavailable: 1 },
    }),
  );
  ns.services.push({
    name: "payments-legacy",
    type: "ClusterIP",
    port: 80,
    targetPort: 8080,
    selector: { "app.kubernetes.io/name": "payments-v1" },
  });
  return ns;
}

function legacy(): NamespacePlan {
  const ns = emptyNamespace("legacy", {}, 900);
  ns.orphanConfigMaps.push("legacy-portal-config-old");
  ns.workloads.push(
    app("Deployment", "legacy-portal", "legacy", {
      replicas: 2,
      ageDays: 700,
      revision: 31,
      oldRevisions: 10,
      serviceAccount: "default",
      ownServiceAccount: false,
      configMaps: ["legacy-portal-config"],
      volumes: [{ name: "config", type: "configMap", ref: "legacy-portal-config" }],
      containers: [
        container("portal", "docker.io/acme/legacy-portal:latest", {
          port: 8080,
          probes: false,
          security: "default",
          cpuReq: 500,
          cpuLim: undefined,
          memReq: 1 * Gi,
          memLim: undefined,
          mounts: [{ volume: "config", path: "/etc/portal" }],
        }),
      ],
      services: [{ name: "legacy-portal", type: "NodePort", port: 80, targetPort: 8080 }],
      ingress: {
        name: "legacy-portal",
        host: "portal.demo.example.com",
        tls: false,
        managedApiVersions: ["extensions/v1beta1", "networking.k8s.io/v1"],
      },
      pdb: { minAvailable: 1, apiVersion: "policy/v1beta1" },
      hpa: { min: 2, max: 4, cpuTarget: 80, apiVersion: "autoscaling/v2beta2" },
    }),
    app("Deployment", "legacy-reports", "legacy", {
      replicas: 1,
      ageDays: 650,
      serviceAccount: "default",
      ownServiceAccount: false,
      containers: [
        container("reports", "nginx", {
          port: 80,
          probes: false,
          security: "default",
          cpuReq: undefined,
          cpuLim: undefined,
          memReq: undefined,
          memLim: undefined,
        }),
      ],
    }),
    app("Deployment", "node-debugger", "legacy", {
      replicas: 1,
      ageDays: 120,
      hostNetwork: true,
      volumes: [{ name: "host-root", type: "hostPath", path: "/" }],
      containers: [
        container("debugger", "docker.io/library/busybox:1.37.0", {
          probes: false,
          security: "privileged",
          cpuReq: 10,
          memReq: 32 * Mi,
          args: ["sleep", "infinity"],
          mounts: [{ volume: "host-root", path: "/host" }],
        }),
      ],
    }),
  );
  return ns;
}

function analytics(): NamespacePlan {
  const ns = emptyNamespace("analytics", labels("data", "cc-1310"), 220);
  Object.assign(ns, { networkPolicies: true, quota: true, limitRange: true, teamRbac: true });
  ns.pvcs.push(
    { name: "scratch-data", sizeGi: 250, storageClass: "efs-sc", bound: false, ageDays: 2 },
    { name: "old-export-data", sizeGi: 500, storageClass: "gp3", bound: true, ageDays: 190 },
    { name: "report-cache", sizeGi: 20, storageClass: "efs-sc", bound: true, ageDays: 120 },
  );
  ns.workloads.push(
    app("Deployment", "report-builder", "analytics", {
      replicas: 2,
      containers: [
        container("builder", ecr("analytics/report-builder", "0.19.2"), {
          port: 8080,
          cpuReq: 2000,
          cpuLim: 4000,
          memReq: 4 * Gi,
          memLim: 8 * Gi,
          usage: "overprovisioned",
        }),
      ],
      services: [{ name: "report-builder", type: "ClusterIP", port: 80, targetPort: 8080 }],
      pdb: { maxUnavailable: 1 },
    }),
    app("Deployment", "analytics-api", "analytics", {
      replicas: 2,
      volumes: [{ name: "cache", type: "pvc", ref: "report-cache" }],
      containers: [
        container("api", ecr("analytics/analytics-api", "3.3.1"), {
          port: 8080,
          mounts: [{ volume: "cache", path: "/cache" }],
        }),
      ],
      services: [{ name: "analytics-api", type: "ClusterIP", port: 80, targetPort: 8080 }],
      pdb: { maxUnavailable: 1 },
    }),
  );
  return ns;
}

function batchJobs(): NamespacePlan {
  const ns = emptyNamespace("batch-jobs", labels("data", "cc-1310"), 200);
  Object.assign(ns, { networkPolicies: true, limitRange: true, teamRbac: true });
  const job = (name: string, tag: string): ContainerPlan =>
    container(name, ecr(`batch/${name}`, tag), {
      probes: false,
      usage: "batch",
      cpuReq: 1000,
      cpuLim: 2000,
      memReq: 2 * Gi,
      memLim: 4 * Gi,
    });
  ns.workloads.push(
    app("CronJob", "nightly-etl", "batch", {
      pool: "compute-spot",
      schedule: { cron: "0 2 * * *", everyMin: 1440, offsetMin: 120 },
      jobHistory: 3,
      ttl: 604800,
      containers: [job("etl", "2026.11.3")],
    }),
    app("CronJob", "cleanup", "batch", {
      pool: "compute-spot",
      schedule: { cron: "*/30 * * * *", everyMin: 30, offsetMin: 0 },
      jobHistory: 3,
      ttl: 3600,
      containers: [
        container("cleanup", ecr("batch/cleanup", "1.2.0"), {
          probes: false,
          usage: "batch",
          cpuReq: 50,
          memReq: 64 * Mi,
        }),
      ],
    }),
    app("Job", "report-export", "batch", {
      pool: "compute-spot",
      backoffLimit: 0,
      ttl: 86400,
      finishedHoursAgo: 3,
      faults: ["failed"],
      containers: [job("export", "1.4.2")],
    }),
    app("Job", "db-migrate-20261101", "batch", {
      backoffLimit: 2,
      finishedHoursAgo: 19 * 24,
      containers: [job("migrate", "2026.11.1")],
    }),
  );
  return ns;
}

function mlTraining(): NamespacePlan {
  const ns = emptyNamespace("ml-training", labels("ml", "cc-1400"), 150);
  Object.assign(ns, { networkPolicies: true, teamRbac: true });
  const gpuTolerations = [
    { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
    { key: "kubernetes.azure.com/scalesetpriority", operator: "Equal", value: "spot", effect: "NoSchedule" },
  ];
  ns.workloads.push(
    app("Deployment", "model-trainer", "ml", {
      replicas: 1,
      pool: "gpu",
      tolerations: gpuTolerations,
      faults: ["pending"],
      containers: [
        container("trainer", ecr("ml/model-trainer", "0.9.0"), {
          probes: false,
          cpuReq: 6000,
          cpuLim: 8000,
          memReq: 24 * Gi,
          memLim: 28 * Gi,
          gpu: 4,
        }),
      ],
    }),
    app("Deployment", "inference-server", "ml", {
      replicas: 2,
      pool: "gpu",
      tolerations: gpuTolerations,
      containers: [
        container("server", "nvcr.io/nvidia/tritonserver:25.09-py3", {
          port: 8000,
          cpuReq: 2000,
          cpuLim: 4000,
          memReq: 8 * Gi,
          memLim: 16 * Gi,
          gpu: 1,
        }),
      ],
      services: [{ name: "inference-server", type: "ClusterIP", port: 80, targetPort: 8000 }],
      pdb: { maxUnavailable: 1 },
    }),
  );
  return ns;
}

function notifications(): NamespacePlan {
  const ns = emptyNamespace("notifications", labels("growth", "cc-1501"), 180);
  Object.assign(ns, { networkPolicies: true, quota: true, limitRange: true, teamRbac: true });
  ns.brokenRoleBindings.push({ name: "ci-deployer", serviceAccount: "ci-bot" });
  ns.ingresses.push({
    name: "notifications-web",
    host: "notify.demo.example.com",
    tls: false,
    service: "notifications-web",
  });
  ns.workloads.push(
    app("Deployment", "email-sender", "notifications", {
      replicas: 2,
      faults: ["missing-configmap", "missing-configmap"],
      missingConfigMap: "email-templates",
      volumes: [{ name: "templates", type: "configMap", ref: "email-templates" }],
      containers: [
        container("sender", ecr("notifications/email-sender", "2.3.1"), {
          port: 8080,
          mounts: [{ volume: "templates", path: "/templates", readOnly: true }],
        }),
      ],
      pdb: { maxUnavailable: 1 },
    }),
    app("Deployment", "notification-api", "notifications", {
      replicas: 2,
      containers: [container("api", ecr("notifications/notification-api", "2.3.1"), { port: 8080 })],
      services: [{ name: "notification-api", type: "ClusterIP", port: 80, targetPort: 8080 }],
      pdb: { maxUnavailable: 1 },
    }),
  );
  return ns;
}

/** The fixed namespaces, in emission order. */
export function fixedNamespaces(): NamespacePlan[] {
  return [
    emptyNamespace("default", {}, 412),
    emptyNamespace("kube-node-lease", {}, 412),
    emptyNamespace("kube-public", {}, 412),
    kubeSystem(),
    monitoring(),
    logging(),
    ingressNginx(),
    simpleAddon("cert-manager", "cert-manager", [
      ["cert-manager", "quay.io/jetstack/cert-manager-controller:v1.19.1", 9402],
      ["cert-manager-cainjector", "quay.io/jetstack/cert-manager-cainjector:v1.19.1", 9402],
      ["cert-manager-webhook", "quay.io/jetstack/cert-manager-webhook:v1.19.1", 10250],
    ]),
    simpleAddon("velero", "velero", [["velero", "docker.io/velero/velero:v1.17.0", 8085]]),
    simpleAddon("trivy-system", "trivy-operator", [
      ["trivy-operator", "mirror.gcr.io/aquasec/trivy-operator:0.29.0", 8080],
    ]),
    payments(),
    checkout(),
    search(),
    orders(),
    legacy(),
    analytics(),
    batchJobs(),
    mlTraining(),
    notifications(),
  ];
}
