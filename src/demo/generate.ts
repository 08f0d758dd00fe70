/** The demo generator: a seeded, streamed, realistic cluster. */
import type { KubeObject } from "../state/raw.js";
import {
  clusterRbac,
  crds,
  namespaceObject,
  nodeProblemEvents,
  persistentVolumes,
  storageClasses,
} from "./cluster.js";
import { fixedNamespaces } from "./fixed.js";
import { Gen } from "./gen.js";
import { emitNamespace } from "./namespace.js";
import { buildNodes, nodeObject } from "./nodes.js";
import type { NamespacePlan } from "./plan.js";
import type { DemoOptions, DemoSizing } from "./scale.js";
import { resolveSizing } from "./scale.js";
import { appNamespaceName, planAppNamespace } from "./teams.js";
import { daemonNodes } from "./workloads.js";

/** Every namespace plan, fixed ones first, computed lazily (large clusters have thousands). */
export function* namespacePlans(s: DemoSizing): Generator<NamespacePlan> {
  yield* fixedNamespaces();
  for (let i = 0; i < s.appNamespaces; i++) yield planAppNamespace(s, i);
}

const planCache = new Map<string, NamespacePlan>();
const indexCache = new Map<string, Map<string, number>>();

/** The plan of one namespace by name (for the usage model); undefined when there is none. */
export function namespacePlan(s: DemoSizing, name: string): NamespacePlan | undefined {
  const key = `${s.seed}/${s.nodes}/${name}`;
  const hit = planCache.get(key);
  if (hit) return hit;
  let plan = fixedNamespaces().find((n) => n.name === name);
  if (!plan) {
    const ik = `${s.seed}/${s.nodes}`;
    let index = indexCache.get(ik);
    if (!index) {
      index = new Map();
      for (let i = 0; i < s.appNamespaces; i++) index.set(appNamespaceName(i), i);
      if (indexCache.size > 8) indexCache.clear();
      indexCache.set(ik, index);
    }
    const i = index.get(name);
    if (i !== undefined) plan = planAppNamespace(s, i);
  }
  if (plan) {
    if (planCache.size > 256) planCache.clear();
    planCache.set(key, plan);
  }
  return plan;
}

/** DaemonSet pods go on every node whatever else runs there: take their share first. */
function reserveDaemonSets(g: Gen): void {
  for (const ns of fixedNamespaces()) {
    for (const w of ns.workloads) {
      if (w.kind !== "DaemonSet") continue;
      const req = { cpu: 0, mem: 0, gpu: 0 };
      for (const c of w.containers) {
        req.cpu += c.cpuReq ?? 0;
        req.mem += c.memReq ?? 0;
      }
      for (const n of daemonNodes(g, w)) g.placement.reserve(n.index, req);
    }
  }
}

/**
 * Yields every object of the demo cluster, one at a time: cluster-scoped kinds first
 * (Namespaces, Nodes, StorageClasses, PersistentVolumes, ClusterRoles, ClusterRoleBindings,
 * CRDs), then each namespace's content. Objects are plain API objects as `kubectl get -o json`
 * returns them (without managedFields). The same seed yields the same sequence.
 *
 * Objects of one workload may share nested spec structures (its pod template); treat them as
 * read-only apart from metadata.
 */
export function* generateDemo(opts: DemoOptions = {}): Generator<KubeObject> {
  const sizing = resolveSizing(opts);
  const g = new Gen(sizing, buildNodes(sizing.seed, sizing.nodes));
  reserveDaemonSets(g);
  nodeProblemEvents(g);
  for (const ns of namespacePlans(sizing)) yield namespaceObject(g, ns);
  for (const n of g.nodes) yield nodeObject(n, sizing.seed, g.clock);
  yield* storageClasses(g);
  yield* persistentVolumes(g, namespacePlans(sizing));
  yield* clusterRbac(g);
  yield* crds(g);
  let defaultNs: NamespacePlan | undefined;
  for (const ns of namespacePlans(sizing)) {
    // "default" goes last: it carries the events about nodes gathered on the way.
    if (ns.name === "default") defaultNs = ns;
    else yield* emitNamespace(g, ns);
  }
  if (defaultNs) yield* emitNamespace(g, defaultNs);
}
