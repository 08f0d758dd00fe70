/** Builders for the smaller namespaced objects: services, endpoints, ingresses, autoscalers, budgets, events. */
import type { KubeObject } from "../state/raw.js";
import { DAY, MINUTE, SECOND, ago, uidOf } from "./format.js";
import type { Gen } from "./gen.js";
import type { HpaPlan, IngressPlan, PdbPlan, ServicePlan } from "./plan.js";
import { hashParts, hexFromKey } from "./random.js";

export interface PodRef {
  name: string;
  uid: string;
  ip: string | undefined;
  node: string | undefined;
  zone: string | undefined;
  ready: boolean;
  hostname?: string;
}

export interface MetaInput {
  kind: string;
  ns: string;
  name: string;
  ageMs: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  owner?: { apiVersion: string; kind: string; name: string; uid: string };
  generation?: number;
}

export function meta(g: Gen, m: MetaInput): Record<string, unknown> {
  const out: Record<string, unknown> = { name: m.name };
  if (m.ns) out.namespace = m.ns;
  out.uid = uidOf(g.seed, m.kind, m.ns, m.name);
  out.resourceVersion = g.clock.next();
  if (m.generation !== undefined) out.generation = m.generation;
  out.creationTimestamp = ago(m.ageMs);
  if (m.labels) out.labels = m.labels;
  if (m.annotations) out.annotations = m.annotations;
  if (m.owner) out.ownerReferences = [{ ...m.owner, controller: true, blockOwnerDeletion: true }];
  return out;
}

export function service(
  g: Gen,
  ns: string,
  s: ServicePlan,
  selector: Record<string, string>,
  ageMs: number,
): KubeObject {
  const headless = s.type === "Headless";
  const port: Record<string, unknown> = {
    name: s.port === 53 ? "dns" : "http",
    port: s.port,
    targetPort: s.targetPort,
    protocol: s.port === 53 ? "UDP" : "TCP",
  };
  if (s.type === "NodePort" || s.type === "LoadBalancer")
    port.nodePort = 30000 + (hashParts(g.seed, ns, s.name) % 2767);
  const ip = headless ? "None" : g.nextClusterIp();
  const spec: Record<string, unknown> = {
    type: headless ? "ClusterIP" : s.type,
    selector: s.selector ?? selector,
    ports: [port],
    clusterIP: ip,
    clusterIPs: [ip],
    ipFamilies: ["IPv4"],
    ipFamilyPolicy: "SingleStack",
    sessionAffinity: "None",
    internalTrafficPolicy: "Cluster",
  };
  if (headless) spec.publishNotReadyAddresses = true;
  if (s.type === "NodePort" || s.type === "LoadBalancer") spec.externalTrafficPolicy = "Cluster";
  const status: Record<string, unknown> = { loadBalancer: {} };
  if (s.type === "LoadBalancer") {
    status.loadBalancer = { ingress: [{ hostname: lbHostname(g, ns, s.name) }] };
  }
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(g, {
      kind: "Service",
      ns,
      name: s.name,
      ageMs,
      labels: {
        "app.kubernetes.io/name":
          s.selector?.["app.kubernetes.io/name"] ?? selector["app.kubernetes.io/name"] ?? s.name,
      },
      ...(s.type === "LoadBalancer"
        ? { annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } }
        : {}),
    }),
    spec,
    status,
  };
}

export function lbHostname(g: Gen, ns: string, name: string): string {
  return `k8s-${ns.slice(0, 8)}-${name.slice(0, 8)}-${hexFromKey(g.seed, `lb/${ns}/${name}`, 10)}.elb.us-east-1.amazonaws.com`;
}

/** EndpointSlices for a service (100 endpoints per slice, as the controller does). */
export function* endpointSlices(
  g: Gen,
  ns: string,
  s: ServicePlan,
  pods: readonly PodRef[],
  ageMs: number,
): Generator<KubeObject> {
  const withIp = pods.filter((p) => p.ip !== undefined);
  const svcUid = uidOf(g.seed, "Service", ns, s.name);
  const chunks = Math.max(1, Math.ceil(withIp.length / 100));
  for (let c = 0; c < chunks; c++) {
    const name = `${s.name}-${g.rng.suffix(5)}`;
    const endpoints = withIp.slice(c * 100, c * 100 + 100).map((p) => ({
      addresses: [p.ip],
      conditions: { ready: p.ready, serving: p.ready, terminating: false },
      ...(p.hostname ? { hostname: p.hostname } : {}),
      targetRef: { kind: "Pod", namespace: ns, name: p.name, uid: p.uid },
      ...(p.node ? { nodeName: p.node } : {}),
      ...(p.zone ? { zone: p.zone } : {}),
    }));
    yield {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        ...meta(g, {
          kind: "EndpointSlice",
          ns,
          name,
          ageMs,
          labels: {
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            "kubernetes.io/service-name": s.name,
          },
          annotations: {
            "endpoints.kubernetes.io/last-change-trigger-time": ago(Math.min(ageMs, 3 * MINUTE)),
          },
          owner: { apiVersion: "v1", kind: "Service", name: s.name, uid: svcUid },
        }),
        generateName: `${s.name}-`,
      },
      addressType: "IPv4",
      endpoints,
      ports: [
        { name: s.port === 53 ? "dns" : "http", port: s.targetPort, protocol: s.port === 53 ? "UDP" : "TCP" },
      ],
    };
  }
}

export function ingress(
  g: Gen,
  ns: string,
  i: IngressPlan,
  service: string,
  port: number,
  ageMs: number,
): KubeObject {
  const metadata = meta(g, {
    kind: "Ingress",
    ns,
    name: i.name,
    ageMs,
    annotations: {
      "nginx.ingress.kubernetes.io/proxy-body-size": "8m",
      ...(i.tls ? { "cert-manager.io/cluster-issuer": "letsencrypt-prod" } : {}),
    },
  });
  if (i.managedApiVersions) metadata.managedApiVersions = i.managedApiVersions;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata,
    spec: {
      ingressClassName: "nginx",
      ...(i.tls ? { tls: [{ hosts: [i.host], secretName: `${i.name}-tls` }] } : {}),
      rules: [
        {
          host: i.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: service, port: { number: port } } },
              },
            ],
          },
        },
      ],
    },
    status: {
      loadBalancer: { ingress: [{ hostname: lbHostname(g, "ingress-nginx", "ingress-nginx-controller") }] },
    },
  };
}

export function hpa(
  g: Gen,
  ns: string,
  target: string,
  h: HpaPlan,
  current: number,
  ageMs: number,
): KubeObject {
  const utilization = h.atMax
    ? h.cpuTarget + 25 + (hashParts(g.seed, ns, target) % 20)
    : Math.max(5, h.cpuTarget - 10 - (hashParts(g.seed, ns, target) % 30));
  const limited = h.atMax === true;
  const conditions = [
    {
      type: "AbleToScale",
      status: "True",
      lastTransitionTime: ago(ageMs - MINUTE),
      reason: "ReadyForNewScale",
      message: "recommended size matches current size",
    },
    {
      type: "ScalingActive",
      status: "True",
      lastTransitionTime: ago(ageMs - MINUTE),
      reason: "ValidMetricFound",
      message:
        "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)",
    },
    limited
      ? {
          type: "ScalingLimited",
          status: "True",
          lastTransitionTime: ago(5 * 3600 * SECOND),
          reason: "TooManyReplicas",
          message: "the desired replica count is more than the maximum replica count",
        }
      : {
          type: "ScalingLimited",
          status: "False",
          lastTransitionTime: ago(DAY),
          reason: "DesiredWithinRange",
          message: "the desired count is within the acceptable range",
        },
  ];
  return {
    apiVersion: h.apiVersion ?? "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta(g, { kind: "HorizontalPodAutoscaler", ns, name: target, ageMs }),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target },
      minReplicas: h.min,
      maxReplicas: h.max,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: h.cpuTarget } },
        },
      ],
    },
    status: {
      currentReplicas: current,
      desiredReplicas: current,
      lastScaleTime: ago(limited ? 5 * 3600 * SECOND : 2 * DAY),
      currentMetrics: [
        { type: "Resource", resource: { name: "cpu", current: { averageUtilization: utilization } } },
      ],
      conditions,
    },
  };
}

function resolveCount(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  const pct = Number.parseInt(v, 10) / 100;
  return roundUp ? Math.ceil(total * pct) : Math.floor(total * pct);
}

export function pdb(
  g: Gen,
  ns: string,
  name: string,
  p: PdbPlan,
  selector: Record<string, string>,
  expected: number,
  healthy: number,
  ageMs: number,
): KubeObject {
  const desired =
    p.minAvailable !== undefined
      ? resolveCount(p.minAvailable, expected, true)
      : Math.max(0, expected - resolveCount(p.maxUnavailable ?? 1, expected, true));
  const allowed = Math.max(0, healthy - desired);
  const spec: Record<string, unknown> = { selector: { matchLabels: selector } };
  if (p.minAvailable !== undefined) spec.minAvailable = p.minAvailable;
  else spec.maxUnavailable = p.maxUnavailable ?? 1;
  return {
    apiVersion: p.apiVersion ?? "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta(g, { kind: "PodDisruptionBudget", ns, name, ageMs, generation: 1 }),
    spec,
    status: {
      currentHealthy: healthy,
      desiredHealthy: desired,
      disruptionsAllowed: allowed,
      expectedPods: expected,
      observedGeneration: 1,
      conditions: [
        {
          type: "DisruptionAllowed",
          status: allowed > 0 ? "True" : "False",
          reason: allowed > 0 ? "SufficientPods" : "InsufficientPods",
          message: "",
          observedGeneration: 1,
          lastTransitionTime: ago(Math.min(ageMs, 6 * 3600 * SECOND)),
        },
      ],
    },
  };
}

export interface EventInput {
  ns: string;
  involved: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    namespace?: string;
    fieldPath?: string;
  };
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  component: string;
  host?: string;
  firstAgoMs: number;
  lastAgoMs: number;
  count: number;
}

export function event(g: Gen, e: EventInput): KubeObject {
  const name = `${e.involved.name}.${hexFromKey(g.seed, `${e.ns}/${e.involved.name}/${e.reason}/${e.message.length}`, 16)}`;
  const involvedObject: Record<string, unknown> = { ...e.involved };
  if (e.involved.namespace === undefined && e.involved.kind !== "Node") involvedObject.namespace = e.ns;
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: meta(g, { kind: "Event", ns: e.ns, name, ageMs: e.firstAgoMs }),
    involvedObject,
    reason: e.reason,
    message: e.message,
    source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
    firstTimestamp: ago(e.firstAgoMs),
    lastTimestamp: ago(e.lastAgoMs),
    count: e.count,
    type: e.type,
    eventTime: null,
    reportingComponent: e.component,
    reportingInstance: e.host ?? "",
  };
}
