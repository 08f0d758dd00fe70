/** Pod specs (shared per workload) and per-pod objects with realistic status. */
import type { KubeObject } from "../state/raw.js";
import { HOUR, MINUTE, SECOND, ago, cpuQty, memQty, uidOf } from "./format.js";
import type { Gen } from "./gen.js";
import type { NodeRec, PoolName } from "./nodes.js";
import type { ContainerPlan, PodFault, VolumePlan, WorkloadPlan } from "./plan.js";
import { hexFromKey, hashParts, unit } from "./random.js";

const TOKEN_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** Everything about a workload's pods that is the same for every replica. */
export interface PodTemplate {
  /** spec as it appears in the controller's template. */
  templateSpec: Record<string, unknown>;
  /** spec as it appears in pods (admission defaults added), without nodeName. */
  podSpec: Record<string, unknown>;
  qosClass: string;
  request: { cpu: number; mem: number; gpu: number };
  tokenVolume: string;
}

function normalizeImage(image: string): string {
  const at = image.indexOf("@");
  const path = at >= 0 ? image.slice(0, at) : image;
  const first = path.split("/")[0] ?? "";
  let full =
    first.includes(".") || first.includes(":") || first === "localhost"
      ? image
      : `docker.io/${path.includes("/") ? "" : "library/"}${image}`;
  const lastSegment = full.slice(full.lastIndexOf("/") + 1);
  if (!full.includes("@") && !lastSegment.includes(":")) full += ":latest";
  return full;
}

/** The image and imageID the kubelet reports for an image reference. */
export function resolvedImage(g: Gen, image: string): [string, string] {
  let hit = g.images.get(image);
  if (!hit) {
    const full = normalizeImage(image);
    const at = full.indexOf("@");
    const repo = at >= 0 ? full.slice(0, at) : full.slice(0, full.lastIndexOf(":"));
    const id = at >= 0 ? full : `${repo}@sha256:${hexFromKey(0, full, 64)}`;
    hit = [full, id];
    g.images.set(image, hit);
  }
  return hit;
}

function pullPolicy(image: string): string {
  return image.endsWith(":latest") || !/[:@][^/]*$/.test(image) ? "Always" : "IfNotPresent";
}

function resources(c: ContainerPlan): Record<string, unknown> {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (c.cpuReq !== undefined) requests.cpu = cpuQty(c.cpuReq);
  if (c.memReq !== undefined) requests.memory = memQty(c.memReq);
  if (c.cpuLim !== undefined) limits.cpu = cpuQty(c.cpuLim);
  if (c.memLim !== undefined) limits.memory = memQty(c.memLim);
  if (c.gpu) {
    requests["nvidia.com/gpu"] = String(c.gpu);
    limits["nvidia.com/gpu"] = String(c.gpu);
  }
  const out: Record<string, unknown> = {};
  if (Object.keys(limits).length > 0) out.limits = limits;
  if (Object.keys(requests).length > 0) out.requests = requests;
  return out;
}

function probe(c: ContainerPlan, kind: "liveness" | "readiness"): Record<string, unknown> {
  const timing = {
    initialDelaySeconds: kind === "liveness" ? 15 : 5,
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  };
  if (c.port === 5432 || c.port === 6379 || c.port === 53) return { tcpSocket: { port: c.port }, ...timing };
  if (c.port)
    return {
      httpGet: { path: kind === "liveness" ? "/healthz" : "/ready", port: c.port, scheme: "HTTP" },
      ...timing,
    };
  return { exec: { command: ["/bin/sh", "-c", "test -f /tmp/healthy"] }, ...timing };
}

function securityContext(c: ContainerPlan): Record<string, unknown> | undefined {
  switch (c.security) {
    case "restricted":
      return {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      };
    case "root":
      return { runAsUser: 0, capabilities: { add: ["NET_ADMIN", "NET_RAW"] } };
    case "privileged":
      return { privileged: true, runAsUser: 0 };
    case "default":
      return undefined;
  }
}

function containerSpec(c: ContainerPlan, token: string | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = { name: c.name, image: c.image };
  if (c.args) o.args = c.args;
  if (c.port)
    o.ports = [
      {
        name: c.port === 53 ? "dns" : c.port === 5432 ? "postgres" : "http",
        containerPort: c.port,
        protocol: c.port === 53 ? "UDP" : "TCP",
      },
    ];
  const env: object[] = [
    { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
    { name: "LOG_LEVEL", value: "info" },
  ];
  if (c.secretEnv)
    env.push({
      name: c.secretEnv[0],
      valueFrom: { secretKeyRef: { name: c.secretEnv[1], key: c.secretEnv[2] } },
    });
  o.env = env;
  if (c.envFromConfigMap) o.envFrom = [{ configMapRef: { name: c.envFromConfigMap } }];
  o.resources = resources(c);
  if (c.probes) {
    o.livenessProbe = probe(c, "liveness");
    o.readinessProbe = probe(c, "readiness");
  }
  const mounts: object[] = c.mounts.map((m) => ({
    name: m.volume,
    mountPath: m.path,
    ...(m.readOnly ? { readOnly: true } : {}),
  }));
  if (token) mounts.push({ name: token, mountPath: TOKEN_MOUNT, readOnly: true });
  if (mounts.length > 0) o.volumeMounts = mounts;
  const sc = securityContext(c);
  if (sc) o.securityContext = sc;
  o.terminationMessagePath = "/dev/termination-log";
  o.terminationMessagePolicy = "File";
  o.imagePullPolicy = pullPolicy(c.image);
  return o;
}

function volumeSpec(v: VolumePlan): Record<string, unknown> {
  switch (v.type) {
    case "configMap":
      return { name: v.name, configMap: { name: v.ref, defaultMode: 420 } };
    case "secret":
      return { name: v.name, secret: { secretName: v.ref, defaultMode: 420 } };
    case "pvc":
      return { name: v.name, persistentVolumeClaim: { claimName: v.ref } };
    case "emptyDir":
      return { name: v.name, emptyDir: v.sizeLimit ? { sizeLimit: v.sizeLimit } : {} };
    case "hostPath":
      return { name: v.name, hostPath: { path: v.path, type: "" } };
  }
}

function tokenVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        {
          downwardAPI: {
            items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
          },
        },
      ],
    },
  };
}

function qos(containers: readonly ContainerPlan[]): string {
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    if (c.cpuReq !== undefined || c.memReq !== undefined || c.cpuLim !== undefined || c.memLim !== undefined)
      any = true;
    if (c.cpuLim === undefined || c.memLim === undefined || c.cpuReq !== c.cpuLim || c.memReq !== c.memLim)
      guaranteed = false;
  }
  return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
}

const DEFAULT_TOLERATIONS = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
];

function affinity(w: WorkloadPlan, selector: Record<string, string>): Record<string, unknown> | undefined {
  const a: Record<string, unknown> = {};
  if (w.spread) {
    a.podAntiAffinity = {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchLabels: selector },
            topologyKey: "kubernetes.io/hostname",
          },
        },
      ],
    };
  }
  if (w.preferMemoryPool) {
    a.nodeAffinity = {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 50,
          preference: {
            matchExpressions: [
              { key: "node.kubernetes.io/instance-type", operator: "In", values: ["r6i.2xlarge"] },
            ],
          },
        },
      ],
    };
  }
  return Object.keys(a).length > 0 ? a : undefined;
}

/** Builds the shared template of a workload's pods. */
export function podTemplate(
  g: Gen,
  ns: string,
  w: WorkloadPlan,
  selector: Record<string, string>,
): PodTemplate {
  const token = w.automountToken
    ? `kube-api-access-${hexFromKey(g.seed, `${ns}/${w.name}`, 5).replace(/[0-9]/g, (d) => "bcdfghjklm"[Number(d)] ?? "x")}`
    : undefined;
  const allRestricted = w.containers.every((c) => c.security === "restricted");
  const spec: Record<string, unknown> = {};
  if (w.init.length > 0) spec.initContainers = w.init.map((c) => containerSpec(c, undefined));
  spec.containers = w.containers.map((c) => containerSpec(c, undefined));
  spec.volumes = w.volumes.map(volumeSpec);
  spec.restartPolicy = w.kind === "CronJob" || w.kind === "Job" ? "OnFailure" : "Always";
  if (w.kind === "Job" && w.faults[0] === "failed") spec.restartPolicy = "Never";
  spec.terminationGracePeriodSeconds = 30;
  spec.dnsPolicy = w.hostNetwork ? "ClusterFirstWithHostNet" : "ClusterFirst";
  if (w.hostNetwork) spec.hostNetwork = true;
  spec.serviceAccountName = w.serviceAccount;
  spec.serviceAccount = w.serviceAccount;
  if (!w.automountToken) spec.automountServiceAccountToken = false;
  spec.securityContext = allRestricted
    ? {
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        fsGroup: 10001,
        seccompProfile: { type: "RuntimeDefault" },
      }
    : {};
  if (w.imagePullSecret) spec.imagePullSecrets = [{ name: w.imagePullSecret }];
  const aff = affinity(w, selector);
  if (aff) spec.affinity = aff;
  if (w.spread) {
    spec.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: selector },
      },
    ];
  }
  spec.schedulerName = "default-scheduler";
  if (w.tolerations) spec.tolerations = w.tolerations;
  if (w.priorityClass) spec.priorityClassName = w.priorityClass;

  const podSpec: Record<string, unknown> = { ...spec };
  podSpec.containers = w.containers.map((c) => containerSpec(c, token));
  if (token) podSpec.volumes = [...(spec.volumes as object[]), tokenVolume(token)];
  podSpec.tolerations = [...(w.tolerations ?? []), ...DEFAULT_TOLERATIONS];
  podSpec.priority =
    w.priorityClass === "system-node-critical" ? 2000001000 : w.priorityClass ? 2000000000 : 0;
  podSpec.enableServiceLinks = true;
  podSpec.preemptionPolicy = "PreemptLowerPriority";

  const request = { cpu: 0, mem: 0, gpu: 0 };
  for (const c of w.containers) {
    request.cpu += c.cpuReq ?? 0;
    request.mem += c.memReq ?? 0;
    request.gpu += c.gpu ?? 0;
  }
  return { templateSpec: spec, podSpec, qosClass: qos(w.containers), request, tokenVolume: token ?? "" };
}

export interface PodInput {
  ns: string;
  name: string;
  generateName?: string;
  labels: Record<string, string>;
  owner: Owner;
  template: PodTemplate;
  w: WorkloadPlan;
  fault: PodFault | "succeeded" | undefined;
  node: NodeRec | undefined;
  podIp: string | undefined;
  ageMs: number;
  /** Containers as run by this pod (an old ReplicaSet runs older images). */
  containers?: readonly ContainerPlan[];
  /** Extra spec fields (StatefulSet hostname, DaemonSet node affinity). */
  specExtra?: Record<string, unknown>;
  /** No incidental restarts (the healthy namespace). */
  healthy?: boolean;
}

/** What the pod builder learnt, for endpoints, status roll-ups and events. */
export interface PodOutcome {
  ready: boolean;
  restarts: number;
  finishedAgoMs?: number;
}

function cond(type: string, status: string, atMs: number, reason?: string, message?: string): object {
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: ago(atMs),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

function terminated(
  exitCode: number,
  reason: string,
  startedMs: number,
  finishedMs: number,
  id: string,
): object {
  return {
    terminated: { exitCode, reason, startedAt: ago(startedMs), finishedAt: ago(finishedMs), containerID: id },
  };
}

/** The "0/N nodes are available: ..." message the scheduler writes, from the real node list. */
export function unschedulableMessage(g: Gen, pool: PoolName, reason: string): string {
  const counts = new Map<string, number>();
  const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  let unhelpful = 0;
  for (const n of g.nodes) {
    if (n.health === "not-ready") bump("node(s) had untolerated taint {node.kubernetes.io/unreachable: }");
    else if (n.health === "pressure")
      bump("node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }");
    else if (n.pool === "system" && pool !== "system")
      bump("node(s) had untolerated taint {CriticalAddonsOnly: true}");
    else if (n.pool === "gpu" && pool !== "gpu") bump("node(s) had untolerated taint {nvidia.com/gpu: true}");
    else {
      bump(reason);
      continue;
    }
    unhelpful++;
  }
  const parts = [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `${v} ${k}`);
  const n = g.nodes.length;
  return (
    `0/${n} nodes are available: ${parts.join(", ")}. ` +
    `preemption: 0/${n} nodes are available: ${n - unhelpful} No preemption victims found for incoming pod, ${unhelpful} Preemption is not helpful for scheduling.`
  );
}

/** Builds one pod object and reports how it is doing. */
export function buildPod(g: Gen, p: PodInput, out: PodOutcome): KubeObject {
  const { w, template, node } = p;
  const uid = uidOf(g.seed, "Pod", p.ns, p.name);
  const containers = p.containers ?? w.containers;
  const fault = p.fault;
  const created = p.ageMs;
  const startupMs = (4 + (hashParts(g.seed, p.name) % 23)) * SECOND;
  const rng = g.rng;
  const metadata: Record<string, unknown> = {
    name: p.name,
    ...(p.generateName ? { generateName: p.generateName } : {}),
    namespace: p.ns,
    uid,
    resourceVersion: g.clock.next(),
    creationTimestamp: ago(created),
    labels: p.labels,
    ownerReferences: [{ ...p.owner, controller: true, blockOwnerDeletion: true }],
  };
  const spec: Record<string, unknown> = { ...template.podSpec, ...p.specExtra };
  if (containers !== w.containers)
    spec.containers = (template.podSpec.containers as Record<string, unknown>[]).map((c, i) => ({
      ...c,
      image: containers[i]?.image ?? c.image,
    }));
  if (node) spec.nodeName = node.name;
  out.ready = false;
  out.restarts = 0;
  out.finishedAgoMs = undefined;

  if (fault === "pending" || !node) {
    const reason = w.containers.some((c) => c.gpu) ? "Insufficient nvidia.com/gpu" : "Insufficient cpu";
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata,
      spec,
      status: {
        phase: "Pending",
        conditions: [
          cond(
            "PodScheduled",
            "False",
            created - 2 * SECOND,
            "Unschedulable",
            unschedulableMessage(g, w.pool, reason),
          ),
        ],
        qosClass: template.qosClass,
      },
    };
  }

  const startMs = created - 2 * SECOND;
  const statuses: object[] = [];
  let allReady = true;
  let phase = "Running";
  let anyStarted = true;
  const mainFault = fault;
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i] as ContainerPlan;
    const [image, imageID] = resolvedImage(g, c.image);
    const id = `containerd://${rng.hex(64)}`;
    const isMain = i === 0;
    const f = isMain
      ? mainFault
      : fault === "succeeded" || fault === "failed" || fault === "missing-configmap"
        ? fault
        : undefined;
    const st: Record<string, unknown> = {
      name: c.name,
      state: {},
      lastState: {},
      ready: false,
      restartCount: 0,
      image,
      imageID,
      containerID: id,
      started: false,
    };
    switch (f) {
      case "crashloop": {
        const restarts = 40 + (hashParts(g.seed, p.name, "r") % 180);
        st.restartCount = restarts;
        st.state = {
          waiting: {
            reason: "CrashLoopBackOff",
            message: `back-off 5m0s restarting failed container=${c.name} pod=${p.name}_${p.ns}(${uid})`,
          },
        };
        st.lastState = terminated(
          1,
          "Error",
          3 * MINUTE + 20 * SECOND,
          3 * MINUTE + 12 * SECOND,
          `containerd://${rng.hex(64)}`,
        );
        out.restarts += restarts;
        allReady = false;
        break;
      }
      case "oom": {
        const restarts = 3 + (hashParts(g.seed, p.name, "r") % 6);
        const finished = oomFinishedAgoMs(p.ns, p.name);
        st.restartCount = restarts;
        st.state = { running: { startedAt: ago(finished - SECOND) } };
        st.lastState = terminated(
          137,
          "OOMKilled",
          finished + 9 * HOUR,
          finished,
          `containerd://${rng.hex(64)}`,
        );
        st.ready = true;
        st.started = true;
        out.restarts += restarts;
        out.finishedAgoMs = finished;
        break;
      }
      case "restarts": {
        const restarts = 18 + (hashParts(g.seed, p.name, "r") % 45);
        st.restartCount = restarts;
        st.state = { running: { startedAt: ago(47 * MINUTE) } };
        st.lastState = terminated(
          137,
          "Error",
          2 * HOUR,
          47 * MINUTE + 2 * SECOND,
          `containerd://${rng.hex(64)}`,
        );
        st.ready = true;
        st.started = true;
        out.restarts += restarts;
        break;
      }
      case "imagepull":
      case "errimagepull": {
        const reason = f === "imagepull" ? "ImagePullBackOff" : "ErrImagePull";
        const message = f === "imagepull" ? `Back-off pulling image "${c.image}"` : pullError(c.image);
        st.state = { waiting: { reason, message } };
        st.imageID = "";
        delete st.containerID;
        allReady = false;
        phase = "Pending";
        break;
      }
      case "missing-configmap":
        st.state = { waiting: { reason: "ContainerCreating" } };
        st.imageID = "";
        delete st.containerID;
        allReady = false;
        anyStarted = false;
        phase = "Pending";
        break;
      case "succeeded":
        st.state = terminated(0, "Completed", created - 3 * SECOND, created - startupMs - 40 * SECOND, id);
        allReady = false;
        phase = "Succeeded";
        break;
      case "failed":
        st.state = terminated(2, "Error", created - 3 * SECOND, created - startupMs - 25 * SECOND, id);
        allReady = false;
        phase = "Failed";
        break;
      default:
        st.state = { running: { startedAt: ago(created - 3 * SECOND) } };
        st.ready = node.health !== "not-ready";
        st.started = true;
        if (!p.healthy && unit(hashParts(g.seed, p.name, c.name)) < 0.08) {
          st.restartCount = 1 + (hashParts(g.seed, p.name, c.name, "n") % 2);
          out.restarts += st.restartCount as number;
        }
    }
    if (!st.ready && f !== "succeeded" && f !== "failed") allReady = false;
    statuses.push(st);
  }
  if (node.health === "not-ready") allReady = false;
  out.ready = allReady && phase === "Running";
  const done = phase === "Succeeded" || phase === "Failed";
  const readyAt = done ? created - startupMs - 40 * SECOND : out.ready ? created - startupMs : 5 * MINUTE;
  const notReadyReason = done
    ? "PodCompleted"
    : node.health === "not-ready"
      ? "NodeNotReady"
      : "ContainersNotReady";
  const conditions = [
    cond("PodReadyToStartContainers", anyStarted && !done ? "True" : "False", created - 3 * SECOND),
    cond("Initialized", "True", created - 2 * SECOND, done ? "PodCompleted" : undefined),
    out.ready
      ? cond("Ready", "True", readyAt)
      : cond("Ready", "False", readyAt, notReadyReason, done ? undefined : notReadyMessage(statuses)),
    out.ready
      ? cond("ContainersReady", "True", readyAt)
      : cond(
          "ContainersReady",
          "False",
          readyAt,
          notReadyReason === "NodeNotReady" ? "ContainersNotReady" : notReadyReason,
          done ? undefined : notReadyMessage(statuses),
        ),
    cond("PodScheduled", "True", created - SECOND),
  ];
  const status: Record<string, unknown> = {
    phase,
    conditions,
    hostIP: node.ip,
    hostIPs: [{ ip: node.ip }],
  };
  if (p.podIp && anyStarted) {
    status.podIP = p.podIp;
    status.podIPs = [{ ip: p.podIp }];
  }
  status.startTime = ago(startMs);
  status.containerStatuses = statuses;
  status.qosClass = template.qosClass;
  return { apiVersion: "v1", kind: "Pod", metadata, spec, status };
}

function notReadyMessage(statuses: object[]): string {
  const names = (statuses as { name: string; ready: boolean }[]).filter((s) => !s.ready).map((s) => s.name);
  return `containers with unready status: [${names.join(" ")}]`;
}

function pullError(image: string): string {
  const full = normalizeImage(image);
  if (image.startsWith("ghcr.io/")) {
    return `failed to pull and unpack image "${full}": failed to resolve reference "${full}": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token: 401 Unauthorized`;
  }
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${full}": failed to resolve reference "${full}": not found`;
}

/**
 * When an OOMKilled container last died: the usage model resets its memory at the same
 * moment, so the history and the pod status tell one story.
 */
export function oomFinishedAgoMs(ns: string, pod: string): number {
  return (2 + (hashParts(0, ns, pod, "oom") % 5)) * HOUR + (hashParts(0, pod) % 50) * MINUTE;
}
