/** Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs. */
import type { KubeObject } from "../raw.js";
import type { CronJob, DaemonSet, Deployment, Job, ReplicaSet, StatefulSet } from "../types.js";
import { fromLabelSelector } from "../selector.js";
import { assemble } from "./common.js";
import type { Interner } from "./common.js";
import { arr, conditions, findCondition, meta, num, obj, optNum, str, time } from "./common.js";
import { projectTemplateOf } from "./pods.js";

function revision(annotations: Readonly<Record<string, string>>): number | undefined {
  const r = annotations["deployment.kubernetes.io/revision"];
  const n = r === undefined ? Number.NaN : Number(r);
  return Number.isFinite(n) ? n : undefined;
}

function workloadBase<K extends string>(o: KubeObject, kind: K, intern: Interner) {
  const base = meta(o, kind, intern);
  const spec = obj(o.spec);
  const status = obj(o.status);
  return {
    base,
    spec,
    status,
    common: {
      selector: fromLabelSelector(spec.selector),
      template: projectTemplateOf(spec, intern),
      conditions: conditions(status.conditions, intern),
      generation: num(obj(o.metadata).generation),
      observedGeneration: num(status.observedGeneration),
      hasStatus: Object.keys(status).length > 0,
    },
  };
}

export function projectDeployment(o: KubeObject, intern: Interner): Deployment {
  const { base, spec, status, common } = workloadBase(o, "Deployment", intern);
  const replicas = num(spec.replicas, 1);
  return assemble(base, common, {
    replicas,
    readyReplicas: num(status.readyReplicas),
    availableReplicas: num(status.availableReplicas),
    updatedReplicas: num(status.updatedReplicas),
    unavailableReplicas: num(status.unavailableReplicas),
    strategy: str(obj(spec.strategy).type) ?? "RollingUpdate",
    progressDeadlineSeconds: num(spec.progressDeadlineSeconds, 600),
    paused: spec.paused === true,
    revision: revision(base.annotations),
  });
}

export function projectReplicaSet(o: KubeObject, intern: Interner): ReplicaSet {
  const { base, spec, status, common } = workloadBase(o, "ReplicaSet", intern);
  return assemble(base, common, {
    replicas: num(spec.replicas, 1),
    readyReplicas: num(status.readyReplicas),
    availableReplicas: num(status.availableReplicas),
    revision: revision(base.annotations),
  });
}

export function projectStatefulSet(o: KubeObject, intern: Interner): StatefulSet {
  const { base, spec, status, common } = workloadBase(o, "StatefulSet", intern);
  return assemble(base, common, {
    replicas: num(spec.replicas, 1),
    readyReplicas: num(status.readyReplicas),
    availableReplicas: num(status.availableReplicas),
    updatedReplicas: num(status.updatedReplicas),
    serviceName: str(spec.serviceName) ?? "",
    volumeClaimTemplates: arr(spec.volumeClaimTemplates).map((t) => str(obj(t.metadata).name) ?? ""),
    updateStrategy: intern.str(str(obj(spec.updateStrategy).type) ?? "RollingUpdate"),
    partition: num(obj(obj(spec.updateStrategy).rollingUpdate).partition),
    currentRevision: str(status.currentRevision),
    updateRevision: str(status.updateRevision),
  });
}

export function projectDaemonSet(o: KubeObject, intern: Interner): DaemonSet {
  const { base, status, common } = workloadBase(o, "DaemonSet", intern);
  return assemble(base, common, {
    desired: num(status.desiredNumberScheduled),
    current: num(status.currentNumberScheduled),
    ready: num(status.numberReady),
    available: num(status.numberAvailable),
    unavailable: num(status.numberUnavailable),
    misscheduled: num(status.numberMisscheduled),
    updated: num(status.updatedNumberScheduled),
  });
}

export function projectJob(o: KubeObject, intern: Interner): Job {
  const { base, spec, status, common } = workloadBase(o, "Job", intern);
  const complete = findCondition(common.conditions, "Complete");
  const failed = findCondition(common.conditions, "Failed");
  return assemble(base, common, {
    completions: optNum(spec.completions),
    parallelism: optNum(spec.parallelism),
    backoffLimit: num(spec.backoffLimit, 6),
    active: num(status.active),
    succeeded: num(status.succeeded),
    failed: num(status.failed),
    complete: complete?.status === "True",
    failedCondition: failed?.status === "True" ? failed : undefined,
    startTime: time(status.startTime),
    completionTime: time(status.completionTime),
    ttlSecondsAfterFinished: optNum(spec.ttlSecondsAfterFinished),
  });
}

export function projectCronJob(o: KubeObject, intern: Interner): CronJob {
  const base = meta(o, "CronJob", intern);
  const spec = obj(o.spec);
  const status = obj(o.status);
  return assemble(base, {
    schedule: str(spec.schedule) ?? "",
    suspend: spec.suspend === true,
    template: projectTemplateOf(obj(obj(spec.jobTemplate).spec), intern),
    lastScheduleTime: time(status.lastScheduleTime),
    lastSuccessfulTime: time(status.lastSuccessfulTime),
    active: arr(status.active).length,
  });
}
