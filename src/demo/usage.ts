/**
 * Usage history of demo containers, computed on demand and never stored: each value is a pure
 * function of the seed, the container's identity and the time, so any window can be asked for
 * in any order and overlapping windows agree.
 */
import { DEMO_NOW_MS, Mi } from "./format.js";
import { namespacePlan } from "./generate.js";
import type { ContainerPlan, UsageClass, WorkloadPlan } from "./plan.js";
import { oomFinishedAgoMs } from "./pods.js";
import { fmix32, hashParts, unit } from "./random.js";
import type { DemoOptions } from "./scale.js";
import { resolveSizing } from "./scale.js";

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

export interface SeriesRange {
  start: Date;
  end: Date;
  stepSeconds: number;
}

export type UsageResource = "cpu" | "memory";

/** What the usage model knows about a container: its shape and its resources. */
export interface UsageProfile {
  usage: UsageClass;
  /** Millicores / bytes; undefined when not set. */
  cpuRequest?: number;
  cpuLimit?: number;
  memoryRequest?: number;
  memoryLimit?: number;
  workload?: string;
}

function findWorkload(workloads: readonly WorkloadPlan[], pod: string): WorkloadPlan | undefined {
  let best: WorkloadPlan | undefined;
  for (const w of workloads) {
    if (pod.startsWith(`${w.name}-`) && (!best || w.name.length > best.name.length)) best = w;
  }
  return best;
}

/** The profile the generator planned for a container; a generic one for unknown containers. */
export function containerProfile(opts: DemoOptions, ref: ContainerRef): UsageProfile {
  const s = resolveSizing(opts);
  const w = findWorkload(namespacePlan(s, ref.namespace)?.workloads ?? [], ref.pod);
  const c: ContainerPlan | undefined = w?.containers.find((x) => x.name === ref.container);
  if (!w || !c) return { usage: "normal", cpuRequest: 100, memoryRequest: 128 * Mi };
  return {
    usage: c.usage,
    cpuRequest: c.cpuReq,
    cpuLimit: c.cpuLim,
    memoryRequest: c.memReq,
    memoryLimit: c.memLim,
    workload: w.name,
  };
}

interface Shape {
  base: number;
  cap: number;
  diurnal: number;
  noise: number;
  seed: number;
  usage: UsageClass;
  /** leak: sawtooth period and reset anchor (epoch s); spiky/batch: period and offset (s). */
  period: number;
  anchor: number;
  top: number;
  floor: number;
}

function shapeFor(opts: DemoOptions, ref: ContainerRef, resource: UsageResource): Shape {
  const s = resolveSizing(opts);
  const p = containerProfile(opts, ref);
  const w = findWorkload(namespacePlan(s, ref.namespace)?.workloads ?? [], ref.pod);
  const wkey = hashParts(s.seed, ref.namespace, p.workload ?? ref.pod, ref.container, resource);
  const r1 = unit(wkey);
  const r2 = unit(fmix32(wkey ^ 0x9e3779b9));
  const cpu = resource === "cpu";
  const req = cpu ? (p.cpuRequest ?? p.cpuLimit ?? 100) : (p.memoryRequest ?? p.memoryLimit ?? 128 * Mi);
  const lim = cpu ? p.cpuLimit : p.memoryLimit;
  const unitScale = cpu ? 1 / 1000 : 1;
  let frac: number;
  switch (p.usage) {
    case "overprovisioned":
      frac = cpu ? 0.03 + 0.09 * r1 : 0.08 + 0.12 * r1;
      break;
    case "idle":
      frac = cpu ? 0.005 + 0.015 * r1 : 0.1 + 0.1 * r1;
      break;
    case "hot":
      frac = lim !== undefined ? (0.86 + 0.1 * r1) * (lim / req) : 1.1 + 0.3 * r1;
      break;
    case "spiky":
      frac = cpu ? 0.2 + 0.2 * r1 : 0.45 + 0.2 * r1;
      break;
    default:
      frac = cpu ? 0.35 + 0.4 * r1 : 0.55 + 0.3 * r1;
  }
  const base = req * frac * unitScale;
  const cap = lim !== undefined ? lim * unitScale : Number.POSITIVE_INFINITY;
  const shape: Shape = {
    base,
    cap,
    diurnal: cpu ? (p.usage === "idle" ? 0.1 : 0.35) : 0.06,
    noise: cpu ? 0.15 : 0.025,
    seed: hashParts(s.seed, ref.namespace, ref.pod, ref.container, resource),
    usage: p.usage,
    period: 0,
    anchor: 0,
    top: 0,
    floor: 0,
  };
  if (p.usage === "leak" && !cpu) {
    // Sawtooth to the limit: the planted OOMKilled restart is one of the resets.
    const limit = (lim ?? req * 2) * unitScale;
    shape.period = Math.round((10 + 14 * r2) * 3600);
    shape.anchor = Math.floor((DEMO_NOW_MS - oomFinishedAgoMs(ref.namespace, ref.pod)) / 1000);
    shape.top = limit;
    shape.floor = limit * 0.35;
  } else if (p.usage === "spiky") {
    shape.period = Math.round((3 + 9 * r2) * 3600);
    shape.anchor = Math.floor(r1 * shape.period);
    shape.top = Math.min(cap, base * 3.2);
  } else if (p.usage === "batch") {
    const sched = w?.schedule ?? { everyMin: 1440, offsetMin: 120, cron: "" };
    shape.period = sched.everyMin * 60;
    shape.anchor = sched.offsetMin * 60;
    shape.top = Math.min(cap, req * (0.8 + 0.4 * r1) * unitScale);
    shape.floor = Math.min(sched.everyMin / 2, 5 + 25 * r2) * 60;
  }
  return shape;
}

const TWO_PI = 2 * Math.PI;

/** Deterministic noise in [-1, 1) for a point, keyed to the minute so windows agree. */
function noiseAt(seed: number, t: number): number {
  return unit(fmix32((seed ^ Math.imul(Math.floor(t / 60), 0x9e3779b1)) >>> 0)) * 2 - 1;
}

function valueAt(sh: Shape, t: number): number {
  const hour = (t / 3600) % 24;
  const day = Math.floor(t / 86400 + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  const weekly = day === 0 || day === 6 ? 0.7 : 1;
  const daily = 1 + sh.diurnal * Math.sin((TWO_PI * (hour - 8)) / 24);
  const noise = 1 + sh.noise * noiseAt(sh.seed, t);
  let v: number;
  switch (sh.usage) {
    case "leak":
      if (sh.period > 0) {
        const phase = (((t - sh.anchor) % sh.period) + sh.period) % sh.period;
        v = (sh.floor + (sh.top - sh.floor) * (phase / sh.period)) * (1 + 0.01 * noiseAt(sh.seed, t));
      } else v = sh.base * daily * weekly * noise;
      break;
    case "spiky": {
      const phase = (((t - sh.anchor) % sh.period) + sh.period) % sh.period;
      v = phase < 900 ? sh.top * noise : sh.base * daily * weekly * noise;
      break;
    }
    case "batch": {
      const phase = (((t - sh.anchor) % sh.period) + sh.period) % sh.period;
      v = phase < sh.floor ? sh.top * noise : 0;
      break;
    }
    default:
      v = sh.base * daily * (sh.diurnal > 0.2 ? weekly : 1) * noise;
  }
  return Math.max(0, Math.min(sh.cap, v));
}

/**
 * A container's usage over a window: CPU in cores, memory in bytes, one value per step from
 * `start` to `end` inclusive. Shapes: diurnal and weekly cycles with noise; some containers
 * grossly over-provisioned, some at their limit, leaking ones climbing to an OOM kill, spiky
 * and batch ones.
 */
export function usageSeries(
  opts: DemoOptions,
  ref: ContainerRef,
  resource: UsageResource,
  range: SeriesRange,
): Float64Array {
  const step = range.stepSeconds;
  if (!(step > 0)) throw new Error(`stepSeconds must be positive, got ${step}`);
  const t0 = Math.floor(range.start.getTime() / 1000);
  const t1 = Math.floor(range.end.getTime() / 1000);
  const n = t1 >= t0 ? Math.floor((t1 - t0) / step) + 1 : 0;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const sh = shapeFor(opts, ref, resource);
  for (let i = 0; i < n; i++) out[i] = valueAt(sh, t0 + i * step);
  return out;
}
