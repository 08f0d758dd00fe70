/** Pod and pod-template projections: containers, probes, security, volumes, status. */
import { createHash } from "node:crypto";
import type { KubeObject } from "../raw.js";
import type {
  ContainerSpec,
  ContainerState,
  Pod,
  PodTemplate,
  PodVolumes,
  Probe,
  SecurityContext,
} from "../types.js";
import { assemble } from "./common.js";
import type { Interner, Raw } from "./common.js";
import {
  EMPTY,
  EMPTY_LABELS,
  arr,
  bool,
  conditions,
  findCondition,
  isObj,
  meta,
  num,
  obj,
  optNum,
  resources,
  str,
  strings,
  time,
} from "./common.js";

const EMPTY_SECURITY: SecurityContext = Object.freeze({
  capabilitiesAdd: EMPTY,
  capabilitiesDrop: EMPTY,
  sysctls: EMPTY,
});
const EMPTY_VOLUMES: PodVolumes = Object.freeze({
  configMaps: EMPTY,
  secrets: EMPTY,
  pvcs: EMPTY,
  hostPaths: EMPTY,
  emptyDirs: 0,
  types: EMPTY,
});
const APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

function security(v: unknown, intern: Interner): SecurityContext {
  if (!isObj(v)) return EMPTY_SECURITY;
  return intern.shared(`sec|${JSON.stringify(v)}`, () => buildSecurity(v, intern));
}

function buildSecurity(v: Raw, intern: Interner): SecurityContext {
  const caps = obj(v.capabilities);
  const seccomp = obj(v.seccompProfile);
  const selinux = obj(v.seLinuxOptions);
  const sysctls = arr(v.sysctls).flatMap((s) => (typeof s.name === "string" ? [intern.str(s.name)] : []));
  const value: SecurityContext = {
    privileged: bool(v.privileged),
    runAsUser: optNum(v.runAsUser),
    runAsGroup: optNum(v.runAsGroup),
    runAsNonRoot: bool(v.runAsNonRoot),
    allowPrivilegeEscalation: bool(v.allowPrivilegeEscalation),
    readOnlyRootFilesystem: bool(v.readOnlyRootFilesystem),
    capabilitiesAdd: strings(caps.add, intern),
    capabilitiesDrop: strings(caps.drop, intern),
    seccompProfile: str(seccomp.type),
    procMount: str(v.procMount),
    appArmorProfile: str(obj(v.appArmorProfile).type),
    seLinuxUser: str(selinux.user),
    seLinuxRole: str(selinux.role),
    seLinuxType: str(selinux.type),
    hostProcess: bool(obj(v.windowsOptions).hostProcess),
    sysctls: sysctls.length ? sysctls : EMPTY,
  };
  return value;
}

function probe(v: unknown, intern: Interner): Probe | undefined {
  if (!isObj(v)) return undefined;
  return intern.shared(`probe|${JSON.stringify(v)}`, () => rawProbe(v)!);
}

function rawProbe(v: unknown): Probe | undefined {
  if (!isObj(v)) return undefined;
  let type: Probe["type"] = "unknown";
  let handler = "";
  if (isObj(v.httpGet)) {
    type = "http";
    handler = `http:${String(v.httpGet.port)}${str(v.httpGet.path) ?? "/"}`;
  } else if (isObj(v.tcpSocket)) {
    type = "tcp";
    handler = `tcp:${String(v.tcpSocket.port)}`;
  } else if (isObj(v.exec)) {
    type = "exec";
    handler = `exec:${strings(v.exec.command).join(" ")}`;
  } else if (isObj(v.grpc)) {
    type = "grpc";
    handler = `grpc:${String(v.grpc.port)}`;
  }
  return {
    type,
    handler,
    initialDelaySeconds: num(v.initialDelaySeconds),
    periodSeconds: num(v.periodSeconds, 10),
    failureThreshold: num(v.failureThreshold, 3),
  };
}

function container(c: Raw, intern: Interner): ContainerSpec {
  const res = obj(c.resources);
  const envSecrets = new Set<string>();
  const envConfigMaps = new Set<string>();
  const envFromSecretKeys: string[] = [];
  for (const e of arr(c.env)) {
    const from = obj(e.valueFrom);
    const sk = obj(from.secretKeyRef);
    const ck = obj(from.configMapKeyRef);
    if (typeof sk.name === "string") {
      envSecrets.add(sk.name);
      if (typeof e.name === "string") envFromSecretKeys.push(intern.str(e.name));
    }
    if (typeof ck.name === "string" && ck.optional !== true) envConfigMaps.add(ck.name);
  }
  for (const e of arr(c.envFrom)) {
    const s = obj(e.secretRef);
    const m = obj(e.configMapRef);
    if (typeof s.name === "string" && s.optional !== true) envSecrets.add(s.name);
    if (typeof m.name === "string" && m.optional !== true) envConfigMaps.add(m.name);
  }
  const ports = arr(c.ports);
  return {
    name: intern.str(str(c.name) ?? ""),
    image: intern.str(str(c.image) ?? ""),
    imagePullPolicy: c.imagePullPolicy === undefined ? undefined : intern.str(String(c.imagePullPolicy)),
    requests: resources(res.requests, intern),
    limits: resources(res.limits, intern),
    liveness: probe(c.livenessProbe, intern),
    readiness: probe(c.readinessProbe, intern),
    startup: probe(c.startupProbe, intern),
    security: security(c.securityContext, intern),
    hostPorts: ports.length === 0 ? EMPTY : ports.map((p) => num(p.hostPort)).filter((p) => p > 0),
    ports:
      ports.length === 0
        ? EMPTY
        : intern.shared(
            `ports|${ports.map((p) => `${str(p.name)}:${num(p.containerPort)}:${str(p.protocol)}`).join(",")}`,
            () =>
              ports.map((p) => ({
                name: str(p.name),
                port: num(p.containerPort),
                protocol: str(p.protocol) ?? "TCP",
              })),
          ),
    envSecrets: envSecrets.size === 0 ? EMPTY : [...envSecrets].map((s) => intern.str(s)),
    envConfigMaps: envConfigMaps.size === 0 ? EMPTY : [...envConfigMaps].map((s) => intern.str(s)),
    envFromSecretKeys: envFromSecretKeys.length === 0 ? EMPTY : envFromSecretKeys,
  };
}

/**
 * The containers of a pod spec, one shared frozen list per distinct projection: the pods of a
 * ReplicaSet (and the ReplicaSet's template) repeat the same containers, and at 150,000 pods
 * sharing them saves about five objects per pod in memory and in a snapshot's stored
 * projections. Keyed by a digest of the projection, not of the raw spec: raw containers differ
 * per pod in fields day2 does not read (the service-account token mount's random name).
 */
function containerList(v: unknown, intern: Interner): readonly ContainerSpec[] {
  const list = arr(v);
  if (list.length === 0) return EMPTY;
  const built = list.map((c) => container(c, intern));
  const digest = createHash("sha1").update(JSON.stringify(built)).digest("base64");
  return intern.shared(`ctrs|${digest}`, () => built);
}

/** "key:effect" per toleration, one shared list per distinct set (every pod of a template has it). */
function tolerationList(tolerations: readonly Raw[], intern: Interner): readonly string[] {
  const list = tolerations.map((t) => `${str(t.key) ?? "*"}:${str(t.effect) ?? "*"}`);
  return intern.shared(`tols|${list.join("\n")}`, () => list.map((t) => intern.str(t)));
}

function volumes(v: unknown, intern: Interner): PodVolumes {
  const list = arr(v);
  if (list.length === 0) return EMPTY_VOLUMES;
  const configMaps: string[] = [];
  const secrets: string[] = [];
  const pvcs: string[] = [];
  const hostPaths: string[] = [];
  let emptyDirs = 0;
  const types = new Set<string>();
  const addProjected = (sources: unknown): void => {
    for (const s of arr(sources)) {
      const cm = obj(s.configMap);
      const sec = obj(s.secret);
      if (typeof cm.name === "string" && cm.optional !== true) configMaps.push(intern.str(cm.name));
      if (typeof sec.name === "string" && sec.optional !== true) secrets.push(intern.str(sec.name));
    }
  };
  for (const vol of list) {
    for (const k in vol) if (k !== "name" && isObj(vol[k])) types.add(k);
    const cm = obj(vol.configMap);
    const sec = obj(vol.secret);
    if (typeof cm.name === "string" && cm.optional !== true) configMaps.push(intern.str(cm.name));
    if (typeof sec.secretName === "string" && sec.optional !== true) secrets.push(intern.str(sec.secretName));
    if (isObj(vol.persistentVolumeClaim) && typeof vol.persistentVolumeClaim.claimName === "string") {
      pvcs.push(vol.persistentVolumeClaim.claimName);
    }
    if (isObj(vol.hostPath)) hostPaths.push(str(vol.hostPath.path) ?? "");
    if (isObj(vol.emptyDir)) emptyDirs++;
    if (isObj(vol.projected)) addProjected(vol.projected.sources);
  }
  const result: PodVolumes = {
    configMaps: configMaps.length ? configMaps : EMPTY,
    secrets: secrets.length ? secrets : EMPTY,
    pvcs: pvcs.length ? pvcs : EMPTY,
    hostPaths: hostPaths.length ? hostPaths : EMPTY,
    emptyDirs,
    types: intern.shared(`voltypes|${[...types].sort().join(",")}`, () => [...types].sort()),
  };
  // Pods of one template mount the same volumes (a StatefulSet's claims differ, and so do
  // their keys): one shared object per distinct set.
  return intern.shared(`vols|${JSON.stringify(result)}`, () => result);
}

function hasAntiAffinity(affinity: unknown): boolean {
  const a = obj(obj(affinity).podAntiAffinity);
  return (
    arr(a.requiredDuringSchedulingIgnoredDuringExecution).length > 0 ||
    arr(a.preferredDuringSchedulingIgnoredDuringExecution).length > 0
  );
}

/** The AppArmor annotations of a pod (template) as container -> profile; usually none. */
function appArmorAnnotations(annotations: unknown, intern: Interner): PodTemplate["appArmorAnnotations"] {
  if (!isObj(annotations)) return EMPTY_LABELS;
  let found: Record<string, string> | undefined;
  for (const k in annotations) {
    if (k.startsWith(APPARMOR_PREFIX))
      (found ??= {})[k.slice(APPARMOR_PREFIX.length)] = String(annotations[k]);
  }
  return found ? intern.labels(found) : EMPTY_LABELS;
}

/** Projects a PodSpec (plus the template's labels and annotations) — shared by pods and every workload. */
export function projectPodTemplate(
  spec: unknown,
  labels: PodTemplate["labels"],
  intern: Interner,
  annotations?: unknown,
): PodTemplate {
  const s = obj(spec);
  const containers = containerList(s.containers, intern);
  const initContainers = containerList(s.initContainers, intern);
  const tolerations = arr(s.tolerations);
  return {
    labels,
    containers: containers.length ? containers : EMPTY,
    initContainers: initContainers.length ? initContainers : EMPTY,
    volumes: volumes(s.volumes, intern),
    serviceAccount: intern.str(str(s.serviceAccountName) ?? str(s.serviceAccount) ?? "default"),
    automountServiceAccountToken: bool(s.automountServiceAccountToken),
    hostNetwork: s.hostNetwork === true,
    hostPID: s.hostPID === true,
    hostIPC: s.hostIPC === true,
    podSecurity: security(s.securityContext, intern),
    appArmorAnnotations: appArmorAnnotations(annotations, intern),
    nodeSelector: intern.labels(s.nodeSelector),
    hasAntiAffinity: hasAntiAffinity(s.affinity),
    hasTopologySpread: arr(s.topologySpreadConstraints).length > 0,
    tolerations: tolerations.length ? tolerationList(tolerations, intern) : EMPTY,
    priorityClassName: str(s.priorityClassName),
    restartPolicy: intern.str(str(s.restartPolicy) ?? "Always"),
    terminationGracePeriodSeconds: optNum(s.terminationGracePeriodSeconds),
  };
}

/** A pod template embedded in a workload (spec.template). */
export function projectTemplateOf(workloadSpec: Raw, intern: Interner): PodTemplate {
  const template = obj(workloadSpec.template);
  const m = obj(template.metadata);
  return projectPodTemplate(template.spec, intern.labels(m.labels ?? EMPTY_LABELS), intern, m.annotations);
}

function containerState(c: Raw, intern: Interner): ContainerState {
  const state = obj(c.state);
  const last = obj(obj(c.lastState).terminated);
  let kind: ContainerState["state"] = "unknown";
  let detail: Raw = {};
  if (isObj(state.running)) {
    kind = "running";
    detail = state.running;
  } else if (isObj(state.waiting)) {
    kind = "waiting";
    detail = state.waiting;
  } else if (isObj(state.terminated)) {
    kind = "terminated";
    detail = state.terminated;
  }
  const reason = str(detail.reason);
  const lastReason = str(last.reason);
  return {
    name: intern.str(str(c.name) ?? ""),
    ready: c.ready === true,
    restartCount: num(c.restartCount),
    state: kind,
    reason: reason === undefined ? undefined : intern.str(reason),
    message: str(detail.message),
    exitCode: optNum(detail.exitCode),
    startedAt: time(detail.startedAt),
    lastReason: lastReason === undefined ? undefined : intern.str(lastReason),
    lastExitCode: optNum(last.exitCode),
    lastFinishedAt: time(last.finishedAt),
  };
}

export function projectPod(o: KubeObject, intern: Interner): Pod {
  const base = meta(o, "Pod", intern);
  const spec = obj(o.spec);
  const status = obj(o.status);
  const conds = conditions(status.conditions, intern);
  const ready = findCondition(conds, "Ready");
  const scheduled = findCondition(conds, "PodScheduled");
  const statuses = arr(status.containerStatuses).map((c) => containerState(c, intern));
  const initStatuses = arr(status.initContainerStatuses).map((c) => containerState(c, intern));
  return assemble(base, projectPodTemplate(spec, base.labels, intern, base.annotations), {
    nodeName: intern.str(str(spec.nodeName) ?? ""),
    phase: intern.str(str(status.phase) ?? "Unknown"),
    reason: str(status.reason),
    message: str(status.message),
    startTime: time(status.startTime),
    ready: ready?.status === "True",
    readyAt: ready?.status === "True" ? ready.lastTransition : undefined,
    scheduled: scheduled ? scheduled.status === "True" : typeof spec.nodeName === "string",
    unschedulableReason: scheduled?.status === "False" ? scheduled.reason : undefined,
    unschedulableMessage: scheduled?.status === "False" ? scheduled.message : undefined,
    statuses: statuses.length ? statuses : EMPTY,
    initStatuses: initStatuses.length ? initStatuses : EMPTY,
    qosClass: status.qosClass === undefined ? undefined : intern.str(String(status.qosClass)),
    deletedAt: base.deleting ? time(obj(o.metadata).deletionTimestamp) : undefined,
  });
}
