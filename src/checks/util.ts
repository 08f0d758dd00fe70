/**
 * Small shared pieces of the rule families: ages, per-object Warning event counts and cron
 * schedule periods. Pure functions of their inputs; indexes go through `state.derive`.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { KubeEvent } from "../state/types.js";

const MINUTE = 60_000;

/** Whole minutes from `then` to `now`, or undefined when `then` is unknown. */
export function minutesSince(now: number, then: number | undefined): number | undefined {
  if (then === undefined || Number.isNaN(then)) return undefined;
  return Math.max(0, Math.floor((now - then) / MINUTE));
}

/** "3d 4h", "2h 5m", "12m": an age for messages. */
export function formatMinutes(min: number): string {
  if (min >= 2 * 24 * 60) return `${Math.floor(min / 1440)}d ${Math.floor((min % 1440) / 60)}h`;
  if (min >= 60) return `${Math.floor(min / 60)}h ${min % 60}m`;
  return `${min}m`;
}

/** Namespaces whose objects belong to the platform itself, not a team. */
export function isSystemNamespace(ns: string): boolean {
  return ns.startsWith("kube-");
}

/** Warning events by involved object `Kind/namespace/name`, built once per state. */
export function warningEvents(state: ClusterState): ReadonlyMap<string, readonly KubeEvent[]> {
  return state.derive("checks:warning-events", (s) => {
    const out = new Map<string, KubeEvent[]>();
    for (const e of s.list("Event")) {
      if (e.type !== "Warning") continue;
      const k = `${e.involved.kind}/${e.involved.namespace}/${e.involved.name}`;
      const arr = out.get(k);
      if (arr) arr.push(e);
      else out.set(k, [e]);
    }
    return out;
  });
}

const MACROS: Record<string, number> = {
  "@yearly": 525_600,
  "@annually": 525_600,
  "@monthly": 44_640,
  "@weekly": 10_080,
  "@daily": 1_440,
  "@midnight": 1_440,
  "@hourly": 60,
};

/** Every number in a field (outside a step) is at most `max`. */
function inRange(field: string, max: number): boolean {
  return [...field.replace(/\/\d+/g, "").matchAll(/\d+/g)].every((m) => Number(m[0]) <= max);
}

const FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?$|^[\d,-]+$|^[A-Za-z]{3}(-[A-Za-z]{3})?$|^\?$/;

/**
 * The longest gap in minutes between two runs of a cron schedule, approximately (it is used
 * to judge "no success for N periods", where a factor of two does not matter); undefined
 * when the schedule cannot be parsed. Supports the five-field syntax, lists, ranges, steps,
 * names and the @ macros; a CRON_TZ= / TZ= prefix is ignored.
 */
export function cronPeriodMinutes(schedule: string): number | undefined {
  const s = schedule.trim().replace(/^(CRON_TZ|TZ)=\S+\s+/, "");
  if (s.startsWith("@")) return MACROS[s.toLowerCase()];
  const f = s.split(/\s+/);
  if (f.length !== 5 || !f.every((x) => x.split(",").every((part) => FIELD.test(part)))) return undefined;
  const [min, hour, dom, month, dow] = f as [string, string, string, string, string];
  if (!inRange(min, 59) || !inRange(hour, 23) || !inRange(dom, 31) || !inRange(month, 12) || !inRange(dow, 7))
    return undefined;
  const everyStep = (x: string): number | undefined => {
    if (x === "*" || x === "?") return 1;
    const m = /^\*\/(\d+)$/.exec(x);
    return m ? Number(m[1]) : undefined;
  };
  const count = (x: string): number => x.split(",").length;
  if (month !== "*" && month !== "?") return (366 * 1440) / count(month);
  if (dom !== "*" && dom !== "?") return (31 * 1440) / count(dom);
  if (dow !== "*" && dow !== "?") return (7 * 1440) / count(dow);
  const hStep = everyStep(hour);
  if (hStep === undefined) return 1440 / count(hour);
  const mStep = everyStep(min);
  if (mStep !== undefined && hStep === 1) return mStep;
  return hStep * 60;
}
