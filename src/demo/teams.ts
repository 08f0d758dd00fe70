/**
 * The generated part of the demo cluster: team namespaces drawn from a catalogue, each with
 * a mix of workloads sized so the cluster lands near the target pod count, and a small
 * background rate of the same problems that are planted by name in fixed.ts.
 */
import type { PoolName } from "./nodes.js";
import type {
  ContainerPlan,
  NamespacePlan,
  PodFault,
  UsageClass,
  WorkloadKind,
  WorkloadPlan,
} from "./plan.js";
import { Gi, Mi, container, emptyNamespace, workload } from "./plan.js";
import { ECR } from "./fixed.js";
import { Rng, hashParts, hexFromKey } from "./random.js";
import type { DemoSizing } from "./scale.js";

const DOMAINS = [
  "catalog",
  "inventory",
  "shipping",
  "identity",
  "accounts",
  "billing",
  "pricing",
  "recommendations",
  "reviews",
  "media",
  "data-platform",
  "fraud",
  "loyalty",
  "support",
  "cms",
  "gateway",
  "reporting",
  "partners",
  "marketing",
  "mobile-bff",
  "ads",
  "messaging",
  "geo",
  "warehouse",
  "returns",
  "subscriptions",
  "ledger",
  "risk",
  "kyc",
  "audit",
  "feature-flags",
  "experiments",
  "sandbox",
  "onboarding",
  "tax",
  "currency",
  "promotions",
  "wishlist",
  "delivery",
  "fulfillment",
];
const VARIANTS = ["staging", "eu", "apac", "v2", "perf", "qa", "canary", "dr"];

interface Archetype {
  key: string;
  kind: WorkloadKind;
  weight: number;
  components: readonly string[];
  port?: number;
}

const ARCHETYPES: readonly Archetype[] = [
  {
    key: "api",
    kind: "Deployment",
    weight: 24,
    port: 8080,
    components: ["api", "gateway", "graphql", "auth", "bff", "admin-api", "public-api", "internal-api"],
  },
  {
    key: "web",
    kind: "Deployment",
    weight: 8,
    port: 3000,
    components: ["web", "frontend", "admin-ui", "portal", "storefront"],
  },
  {
    key: "worker",
    kind: "Deployment",
    weight: 16,
    components: ["worker", "processor", "sync", "reconciler", "notifier", "exporter", "indexer", "scheduler"],
  },
  {
    key: "consumer",
    kind: "Deployment",
    weight: 8,
    components: ["consumer", "events-consumer", "stream-processor", "outbox-relay"],
  },
  {
    key: "grpc",
    kind: "Deployment",
    weight: 8,
    port: 9090,
    components: ["grpc", "service", "engine", "resolver", "calculator"],
  },
  { key: "postgres", kind: "StatefulSet", weight: 4, port: 5432, components: ["postgres", "db"] },
  { key: "redis", kind: "StatefulSet", weight: 4, port: 6379, components: ["redis", "cache"] },
  {
    key: "cron",
    kind: "CronJob",
    weight: 10,
    components: ["cleanup", "nightly-report", "sync-cron", "reindex", "backup-check", "digest-mailer"],
  },
  { key: "job", kind: "Job", weight: 3, components: ["db-migrate", "seed-data", "backfill"] },
];
const TOTAL_WEIGHT = ARCHETYPES.reduce((s, a) => s + a.weight, 0);
const ARCHETYPE_PAIRS = ARCHETYPES.map((a) => [a, a.weight] as const);

/** Deployment replica distribution before scaling to the target pod count. */
const REPLICAS: readonly (readonly [number, number])[] = [
  [1, 22],
  [2, 26],
  [3, 24],
  [4, 8],
  [5, 6],
  [6, 5],
  [8, 4],
  [10, 3],
  [12, 1],
  [20, 0.7],
  [30, 0.3],
];
const REPLICAS_MEAN = REPLICAS.reduce((s, [v, w]) => s + v * w, 0) / REPLICAS.reduce((s, [, w]) => s + w, 0);
const STS_REPLICAS: readonly (readonly [number, number])[] = [
  [1, 30],
  [2, 10],
  [3, 60],
];
const STS_MEAN = 2.3;
const CRON_PODS_MEAN = 2;

const CPU_REQ: readonly (readonly [number, number])[] = [
  [10, 6],
  [25, 10],
  [50, 20],
  [100, 28],
  [200, 16],
  [250, 8],
  [500, 8],
  [1000, 3],
  [2000, 1],
];
const MEM_REQ: readonly (readonly [number, number])[] = [
  [64 * Mi, 10],
  [128 * Mi, 25],
  [256 * Mi, 30],
  [512 * Mi, 20],
  [1 * Gi, 11],
  [2 * Gi, 4],
];
const MAIN_USAGE: readonly (readonly [UsageClass, number])[] = [
  ["normal", 55],
  ["overprovisioned", 22],
  ["idle", 8],
  ["hot", 6],
  ["spiky", 7],
  ["leak", 2],
];
const OLD_REVISIONS: readonly (readonly [number, number])[] = [
  [0, 20],
  [1, 20],
  [2, 20],
  [3, 15],
  [5, 10],
  [10, 15],
];
const SIDECAR_USAGE: readonly (readonly [UsageClass, number])[] = [
  ["normal", 60],
  ["overprovisioned", 30],
  ["idle", 10],
];

/** Per-pod background fault rates in generated namespaces. */
const FAULT_RATES: readonly (readonly [PodFault, number])[] = [
  ["crashloop", 0.003],
  ["oom", 0.003],
  ["restarts", 0.01],
  ["imagepull", 0.0015],
  ["errimagepull", 0.0005],
  ["pending", 0.001],
];

/** The names of the generated namespaces, avoiding the fixed ones. */
export function appNamespaceName(i: number): string {
  const domain = DOMAINS[i % DOMAINS.length] ?? "team";
  const gen = Math.floor(i / DOMAINS.length);
  if (gen === 0) return domain;
  const variant = VARIANTS[(gen - 1) % VARIANTS.length] ?? "x";
  const round = Math.floor((gen - 1) / VARIANTS.length);
  return round === 0 ? `${domain}-${variant}` : `${domain}-${variant}-${round + 1}`;
}

/** Deployment replica multiplier that lands the generated workloads on the target pod count. */
function replicaScale(s: DemoSizing): number {
  const share = (key: string) =>
    ARCHETYPES.filter((a) => a.kind === key).reduce((t, a) => t + a.weight, 0) / TOTAL_WEIGHT;
  const fixedPods =
    s.appWorkloads * (share("StatefulSet") * STS_MEAN + share("CronJob") * CRON_PODS_MEAN + share("Job"));
  const deployPods = Math.max(s.appWorkloads * share("Deployment"), s.appPods - fixedPods);
  // 1.02: rounding small replica counts loses a little; measured at 5,000 nodes.
  return (1.02 * deployPods) / (s.appWorkloads * share("Deployment")) / REPLICAS_MEAN;
}

function semver(rng: Rng): string {
  const style = rng.weighted([
    ["semver", 70],
    ["v", 15],
    ["sha", 10],
    ["date", 5],
  ] as const);
  const v = `${rng.int(0, 6)}.${rng.int(0, 40)}.${rng.int(0, 20)}`;
  if (style === "v") return `v${v}`;
  if (style === "sha") return `sha-${rng.suffix(7).replace(/[^0-9a-f]/g, "a")}`;
  if (style === "date") return `2026.${rng.int(1, 11)}.${rng.int(1, 28)}`;
  return v;
}

interface NsContext {
  rng: Rng;
  ns: NamespacePlan;
  domain: string;
  istio: boolean;
  scale: number;
  used: Set<string>;
}

function uniqueName(ctx: NsContext, base: string): string {
  let name = base;
  for (let k = 2; ctx.used.has(name); k++) name = `${base}-${k}`;
  ctx.used.add(name);
  return name;
}

function appImage(
  ctx: NsContext,
  a: Archetype,
  component: string,
  seed: number,
): { image: string; pull?: string } {
  const { rng, domain } = ctx;
  if (a.key === "postgres")
    return {
      image: rng.pick([
        "docker.io/library/postgres:16.4",
        "docker.io/bitnami/postgresql:16.4.0-debian-12-r14",
        "docker.io/library/postgres:15.8",
      ]),
    };
  if (a.key === "redis")
    return {
      image: rng.pick([
        "docker.io/library/redis:7.4.1-alpine",
        "docker.io/bitnami/redis:7.4.1-debian-12-r0",
        "docker.io/valkey/valkey:8.1.3",
      ]),
    };
  const r = rng.next();
  if (r < 0.02) return { image: `${ECR}/${domain}/${component}:latest` };
  if (r < 0.025) return { image: `${domain}-${component}` };
  if (r < 0.2)
    return { image: `ghcr.io/acme-corp/${domain}-${component}:${semver(rng)}`, pull: "ghcr-pull-secret" };
  if (r < 0.27)
    return {
      image: `${ECR}/${domain}/${component}@sha256:${hexFromKey(seed, `${domain}/${component}`, 64)}`,
    };
  return { image: `${ECR}/${domain}/${component}:${semver(rng)}` };
}

function sizeContainer(rng: Rng, c: ContainerPlan, noResources: boolean): void {
  if (noResources) {
    c.cpuReq = c.cpuLim = c.memReq = c.memLim = undefined;
    return;
  }
  c.cpuReq = rng.weighted(CPU_REQ);
  c.memReq = rng.weighted(MEM_REQ);
  c.cpuLim = rng.chance(0.45) ? undefined : c.cpuReq * rng.pick([2, 2, 4]);
  c.memLim = rng.chance(0.1) ? undefined : c.memReq * rng.pick([1, 1, 1.5, 2]);
}

function sidecars(ctx: NsContext, a: Archetype): ContainerPlan[] {
  const { rng } = ctx;
  const out: ContainerPlan[] = [];
  if (ctx.istio && a.kind !== "CronJob" && a.kind !== "Job") {
    out.push(
      container("istio-proxy", "docker.io/istio/proxyv2:1.27.1", {
        cpuReq: 50,
        cpuLim: 2000,
        memReq: 128 * Mi,
        memLim: 1 * Gi,
        port: 15090,
        usage: rng.weighted(SIDECAR_USAGE),
      }),
    );
  }
  if (a.kind === "Deployment" && rng.chance(0.36)) {
    out.push(
      container("otel-collector", "docker.io/otel/opentelemetry-collector-contrib:0.135.0", {
        cpuReq: 25,
        cpuLim: 200,
        memReq: 64 * Mi,
        memLim: 256 * Mi,
        port: 4317,
        usage: rng.weighted(SIDECAR_USAGE),
      }),
    );
  }
  if ((a.key === "worker" || a.key === "api") && rng.chance(0.12)) {
    out.push(
      container("cloud-sql-proxy", "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.18.2", {
        cpuReq: 25,
        cpuLim: undefined,
        memReq: 32 * Mi,
        memLim: 128 * Mi,
        probes: false,
        usage: rng.weighted(SIDECAR_USAGE),
      }),
    );
  }
  if (a.kind === "Deployment" && rng.chance(0.12)) {
    out.push(
      container("log-shipper", "cr.fluentbit.io/fluent/fluent-bit:4.0.7", {
        cpuReq: 10,
        cpuLim: 100,
        memReq: 32 * Mi,
        memLim: 64 * Mi,
        probes: false,
        usage: "idle",
      }),
    );
  }
  return out;
}

function faultsFor(ctx: NsContext, replicas: number): (PodFault | undefined)[] {
  const faults: (PodFault | undefined)[] = [];
  if (ctx.ns.healthy) return faults;
  for (let i = 0; i < replicas; i++) {
    const r = ctx.rng.next();
    let acc = 0;
    let f: PodFault | undefined;
    for (const [fault, p] of FAULT_RATES) {
      acc += p;
      if (r < acc) {
        f = fault;
        break;
      }
    }
    faults.push(f);
  }
  return faults;
}

function pickPool(rng: Rng, a: Archetype): PoolName {
  if (a.key === "postgres" || a.key === "redis") return "memory";
  if (a.key === "worker" || a.key === "consumer" || a.kind === "CronJob" || a.kind === "Job")
    return rng.chance(0.6) ? "compute-spot" : "general";
  return "general";
}

function buildWorkload(ctx: NsContext, a: Archetype, seed: number): WorkloadPlan {
  const { rng, ns, domain } = ctx;
  const component = rng.pick(a.components);
  const name = uniqueName(ctx, `${domain}-${component}`);
  const img = appImage(ctx, a, component, seed);
  const main = container(
    a.key === "postgres" || a.key === "redis" ? a.key : (component.split("-")[0] ?? component),
    img.image,
    {
      port: a.port ?? (a.kind === "Deployment" ? 8080 : undefined),
      usage: a.kind === "CronJob" || a.kind === "Job" ? "batch" : rng.weighted(MAIN_USAGE),
    },
  );
  const noResources = !ns.limitRange && rng.chance(0.04);
  sizeContainer(rng, main, noResources);
  if (a.kind === "CronJob" || a.kind === "Job" || rng.chance(0.08)) main.probes = false;
  main.security = rng.weighted([
    ["restricted", 74],
    ["default", 25],
    ["root", 0.7],
    ["privileged", 0.3],
  ] as const);
  const w = workload(a.kind, name, {
    partOf: domain,
    component,
    pool: pickPool(rng, a),
    ageDays: rng.int(3, Math.max(4, ns.ageDays)),
    revision: rng.int(1, 40),
    oldRevisions: 0,
    containers: [main, ...sidecars(ctx, a)],
    imagePullSecret: img.pull,
    automountToken: rng.chance(0.6),
  });
  w.oldRevisions = Math.min(w.revision - 1, rng.weighted(OLD_REVISIONS));
  w.ownServiceAccount = rng.chance(0.7);
  if (!w.ownServiceAccount) w.serviceAccount = "default";
  if (rng.chance(0.6)) {
    w.configMaps.push(`${name}-config`);
    main.envFromConfigMap = `${name}-config`;
  }
  if (rng.chance(0.5)) {
    w.secrets.push(`${name}-secrets`);
    main.secretEnv = [
      rng.pick(["DATABASE_PASSWORD", "API_TOKEN", "REDIS_PASSWORD", "SIGNING_KEY"]),
      `${name}-secrets`,
      "value",
    ];
  }
  if (rng.chance(0.004)) {
    w.volumes.push({ name: "host-logs", type: "hostPath", path: "/var/log" });
    main.mounts.push({ volume: "host-logs", path: "/host/var/log", readOnly: true });
  }
  if (rng.chance(0.25)) {
    w.volumes.push({ name: "tmp", type: "emptyDir", sizeLimit: "1Gi" });
    main.mounts.push({ volume: "tmp", path: "/tmp" });
  }
  shapeByKind(ctx, a, w, main);
  w.faults = faultsFor(ctx, w.kind === "Deployment" || w.kind === "StatefulSet" ? w.replicas : 0);
  return w;
}

function shapeByKind(ctx: NsContext, a: Archetype, w: WorkloadPlan, main: ContainerPlan): void {
  const { rng } = ctx;
  if (a.kind === "Deployment") {
    w.replicas = Math.max(1, Math.round(rng.weighted(REPLICAS) * ctx.scale * rng.range(0.85, 1.15)));
    w.spread = w.replicas >= 3 && rng.chance(0.5);
    if (a.port) {
      const type =
        a.key === "web" && rng.chance(0.15) ? "LoadBalancer" : rng.chance(0.04) ? "NodePort" : "ClusterIP";
      w.services.push({ name: w.name, type, port: 80, targetPort: a.port });
      if (rng.chance(a.key === "web" ? 0.7 : 0.25))
        w.ingress = { name: w.name, host: `${w.name}.demo.example.com`, tls: rng.chance(0.85) };
    }
    if (w.replicas >= 2 && rng.chance(0.35)) {
      const atMax = rng.chance(0.08);
      const max = atMax ? w.replicas : w.replicas + rng.int(2, 10);
      w.hpa = {
        min: Math.max(1, Math.min(w.replicas, rng.int(1, 3))),
        max,
        cpuTarget: rng.pick([60, 70, 75, 80]),
        atMax,
      };
    }
    if (w.replicas >= 2 && rng.chance(0.55))
      w.pdb = rng.chance(0.7) ? { maxUnavailable: 1 } : { minAvailable: rng.pick(["50%", 1]) };
  } else if (a.kind === "StatefulSet") {
    w.replicas = rng.weighted(STS_REPLICAS);
    w.preferMemoryPool = true;
    w.oldRevisions = 0;
    w.claim = {
      sizeGi: a.key === "postgres" ? rng.pick([20, 50, 100, 200]) : rng.pick([5, 10, 20]),
      storageClass: rng.chance(0.85) ? "gp3" : "io2",
    };
    main.mounts.push({ volume: "data", path: a.key === "postgres" ? "/var/lib/postgresql/data" : "/data" });
    w.services.push({
      name: `${w.name}-headless`,
      type: "Headless",
      port: a.port ?? 80,
      targetPort: a.port ?? 80,
    });
    w.services.push({ name: w.name, type: "ClusterIP", port: a.port ?? 80, targetPort: a.port ?? 80 });
    if (w.replicas >= 2) w.pdb = { maxUnavailable: 1 };
  } else if (a.kind === "CronJob") {
    const every = rng.pick([10, 15, 30, 60, 60, 360, 1440]);
    const offset = every >= 60 ? rng.int(0, 59) + (every === 1440 ? rng.int(0, 5) * 60 : 0) : 0;
    const cron =
      every < 60
        ? `*/${every} * * * *`
        : every === 60
          ? `${offset} * * * *`
          : every === 360
            ? `${offset} */6 * * *`
            : `${offset % 60} ${Math.floor(offset / 60)} * * *`;
    w.schedule = { cron, everyMin: every, offsetMin: every === 360 ? offset : offset };
    w.jobHistory = rng.pick([1, 2, 3]);
    w.ttl = rng.chance(0.5) ? rng.pick([3600, 86400]) : undefined;
    w.oldRevisions = 0;
  } else if (a.kind === "Job") {
    w.backoffLimit = rng.pick([0, 2, 6]);
    w.ttl = rng.chance(0.6) ? 86400 : undefined;
    w.finishedHoursAgo = w.ttl ? rng.range(0.2, 20) : rng.range(1, 24 * 30);
    w.oldRevisions = 0;
  }
}

/** A generated team namespace, fully determined by the seed and its index. */
export function planAppNamespace(s: DemoSizing, index: number): NamespacePlan {
  const name = appNamespaceName(index);
  const rng = new Rng(hashParts(s.seed, "namespace", name));
  const domain = DOMAINS[index % DOMAINS.length] ?? "team";
  const hasTeam = rng.chance(0.85);
  const labels: Record<string, string> = {};
  if (hasTeam) labels.team = `team-${domain}`;
  if (hasTeam && rng.chance(0.9)) labels["cost-center"] = `cc-${1600 + (hashParts(0, domain) % 300)}`;
  labels.environment = name.includes("-") ? "staging" : "production";
  const istio = rng.chance(0.66);
  if (istio) labels["istio-injection"] = "enabled";
  if (rng.chance(0.3)) labels["pod-security.kubernetes.io/enforce"] = rng.pick(["baseline", "restricted"]);
  const ns = emptyNamespace(name, labels, rng.int(20, 400));
  ns.networkPolicies = rng.chance(0.7);
  ns.quota = rng.chance(0.6);
  ns.limitRange = rng.chance(0.5);
  ns.teamRbac = rng.chance(0.85);
  const ctx: NsContext = { rng, ns, domain, istio, scale: replicaScale(s), used: new Set() };
  const perNs = s.appWorkloads / s.appNamespaces;
  const count = Math.max(2, Math.round(perNs * rng.range(0.5, 1.5)));
  for (let k = 0; k < count; k++)
    ns.workloads.push(buildWorkload(ctx, rng.weighted(ARCHETYPE_PAIRS), s.seed));
  if (rng.chance(0.15)) ns.orphanConfigMaps.push(`${domain}-settings-backup`);
  if (rng.chance(0.08))
    ns.pvcs.push({
      name: `${domain}-export`,
      sizeGi: rng.pick([10, 50, 100]),
      storageClass: "gp3",
      bound: true,
      ageDays: rng.int(30, 300),
    });
  return ns;
}
