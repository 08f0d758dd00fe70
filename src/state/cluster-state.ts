/**
 * ClusterState: the one model every judgement reads. Holds the projections of one
 * collection (live, snapshot, manifests or demo), a coverage record per kind, and indexes
 * built lazily on first use: by namespace/name, by uid, owner -> children, node -> pods,
 * and per-namespace label postings for selector resolution.
 */
import type { KindCoverage, SourceKind, SourceLocation } from "./raw.js";
import type {
  HorizontalPodAutoscaler,
  Meta,
  NetworkPolicy,
  OwnerRef,
  Pod,
  PodDisruptionBudget,
  PersistentVolume,
  PersistentVolumeClaim,
  ProjectedKind,
  ProjectionByKind,
  Service,
  StorageClass,
  EndpointSlice,
} from "./types.js";
import type { Labels, Selector } from "./selector.js";
import { matches } from "./selector.js";

export interface ServerVersion {
  readonly gitVersion: string;
  readonly major?: string;
  readonly minor?: string;
  readonly platform?: string;
}

export interface ClusterInfo {
  readonly source: SourceKind;
  /** File path, kube context or "seed 42": what a person needs to reproduce the run. */
  readonly sourceDetail: string;
  readonly server?: string;
  readonly context?: string;
  readonly version?: ServerVersion;
  /** Epoch ms of collection (the demo's fixed "now" for the demo). */
  readonly collectedAt: number;
  /** Namespace the collection was limited to (-n), if any. */
  readonly namespace?: string;
}

type Store = { [K in ProjectedKind]: ProjectionByKind[K][] };

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

const NONE: readonly never[] = Object.freeze([]);

/** Pods of one namespace sharing one labels object (one template's pods). */
interface LabelSet {
  readonly labels: Labels;
  readonly pods: Pod[];
}

interface NamespaceLabelSets {
  /** In order of first appearance. */
  readonly sets: readonly LabelSet[];
  /** label key -> value -> the sets that have it. */
  readonly postings: Map<string, Map<string, LabelSet[]>>;
}

export class ClusterState {
  /** kind -> namespace -> name -> object: nested maps, so no key string is built per object. */
  private readonly byName = new Map<string, Map<string, Map<string, Meta>>>();
  private uidIndex: Map<string, Meta> | undefined;
  private readonly uidByKind = new Map<string, Map<string, Meta>>();
  /**
   * Resolved owners by owner reference (null: none found), with the namespace they were
   * resolved in: pods of one ReplicaSet share one interned reference, so 150,000 pods resolve
   * about 45,000 times, and several rules walk every pod's owner chain.
   */
  private readonly ownerCache = new Map<OwnerRef, { namespace: string; owner: Meta | null }>();
  /** owner kind -> owner uid (or namespace/name) -> children */
  private readonly childIndex = new Map<string, Map<string, Meta[]>>();
  private nodeIndex: Map<string, Pod[]> | undefined;
  private readonly labelIndex = new Map<string, NamespaceLabelSets>();
  private podsByNs: Map<string, Pod[]> | undefined;
  private slicesBySvc: Map<string, EndpointSlice[]> | undefined;
  private readonly byNamespace = new Map<string, Map<string, Meta[]>>();
  private readonly memo = new Map<string, unknown>();
  private namespaceList: readonly string[] | undefined;

  constructor(
    readonly info: ClusterInfo,
    private readonly store: Store,
    readonly coverage: ReadonlyMap<string, KindCoverage>,
    /** Kinds found in the input that day2 does not model, with counts. */
    readonly unknownKinds: ReadonlyMap<string, number>,
    /** Manifest inputs only: the file and line each object was read from, by projection. */
    private readonly sources?: ReadonlyMap<Meta, SourceLocation>,
  ) {}

  /**
   * The file and line an object was read from, for manifest inputs; undefined for live
   * clusters, snapshots, stdin and objects not in the input (a namespace only referred to).
   * Duplicates (one name in two files) resolve like `get`: to the one read last.
   */
  sourceOf(ref: { kind: string; namespace: string; name: string }): SourceLocation | undefined {
    if (!this.sources || !Object.prototype.hasOwnProperty.call(this.store, ref.kind)) return undefined;
    const o = this.get(ref.kind as ProjectedKind, ref.namespace, ref.name);
    return o ? this.sources.get(o) : undefined;
  }

  /**
   * A value derived from the state, computed once: lets judgement share work (every rule
   * that walks workload templates) without state of its own.
   */
  derive<T>(key: string, compute: (state: ClusterState) => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = compute(this);
    this.memo.set(key, value);
    return value;
  }

  /** Every object of a kind, in input order. */
  list<K extends ProjectedKind>(kind: K): readonly ProjectionByKind[K][] {
    return this.store[kind];
  }

  count(kind: ProjectedKind): number {
    return this.store[kind].length;
  }

  get<K extends ProjectedKind>(kind: K, namespace: string, name: string): ProjectionByKind[K] | undefined {
    let idx = this.byName.get(kind);
    if (!idx) {
      idx = new Map();
      for (const o of this.store[kind]) {
        let names = idx.get(o.namespace);
        if (!names) idx.set(o.namespace, (names = new Map()));
        names.set(o.name, o);
      }
      this.byName.set(kind, idx);
    }
    return idx.get(namespace)?.get(name) as ProjectionByKind[K] | undefined;
  }

  /** True when the kind was read completely; rules that need a kind that was not are "not evaluated". */
  isCollected(kind: string): boolean {
    return this.coverage.get(kind)?.status === "collected";
  }

  byUid(uid: string): Meta | undefined {
    if (!this.uidIndex) {
      this.uidIndex = new Map();
      for (const list of Object.values(this.store) as Meta[][]) {
        for (const o of list) if (o.uid) this.uidIndex.set(o.uid, o);
      }
    }
    return this.uidIndex.get(uid);
  }

  /** Namespaces: from Namespace objects, plus any namespace an object lives in. */
  namespaceNames(): string[] {
    // Computed once (the report, the score and compliance each ask), a copy for each caller.
    this.namespaceList ??= (() => {
      const names = new Set(this.store.Namespace.map((n) => n.name));
      for (const p of this.store.Pod) names.add(p.namespace);
      return [...names].filter(Boolean).sort();
    })();
    return [...this.namespaceList];
  }

  /**
   * The direct controlling owner, looked up by uid among objects of the owner's kind (only
   * kinds that own something get a uid index: not the 150,000 pods), else by
   * kind/namespace/name.
   */
  owner(o: Meta): Meta | undefined {
    const ref = o.owner;
    if (!ref) return undefined;
    const cached = this.ownerCache.get(ref);
    if (cached !== undefined && cached.namespace === o.namespace) return cached.owner ?? undefined;
    const found = this.findOwner(o, ref);
    // A reference shared across namespaces (no uid, hand-written) keeps its first namespace's answer.
    if (cached === undefined) this.ownerCache.set(ref, { namespace: o.namespace, owner: found ?? null });
    return found;
  }

  private findOwner(o: Meta, ref: NonNullable<Meta["owner"]>): Meta | undefined {
    const kind = ref.kind as ProjectedKind;
    if (!Object.prototype.hasOwnProperty.call(this.store, kind)) return undefined;
    if (ref.uid) {
      let idx = this.uidByKind.get(kind);
      if (!idx) {
        idx = new Map();
        for (const x of this.store[kind] as Meta[]) if (x.uid) idx.set(x.uid, x);
        this.uidByKind.set(kind, idx);
      }
      const hit = idx.get(ref.uid);
      if (hit) return hit;
    }
    return this.get(kind, o.namespace, ref.name) ?? this.get(kind, "", ref.name);
  }

  /** The owners above an object, nearest first: pod -> ReplicaSet -> Deployment. */
  ownerChain(o: Meta): Meta[] {
    const chain: Meta[] = [];
    // Chains are two or three long: a scan of the chain guards against cycles without a Set.
    let cur = this.owner(o);
    while (cur && cur !== o && !chain.includes(cur)) {
      chain.push(cur);
      cur = this.owner(cur);
    }
    return chain;
  }

  /** The workload a pod belongs to (the top of its owner chain), or the pod itself. */
  topOwner(o: Meta): Meta {
    const chain = this.ownerChain(o);
    return chain[chain.length - 1] ?? o;
  }

  /**
   * Objects whose controlling owner is `o`: matched by the owner's uid (no key string per
   * object for the 400,000 owned objects of a large cluster), or by namespace/name for owner
   * references without a uid (hand-written manifests). Indexed per owner kind on first use, so
   * the children of a few Jobs do not index the 150,000 pods owned by ReplicaSets.
   */
  children(o: Meta): readonly Meta[] {
    let index = this.childIndex.get(o.kind);
    if (!index) {
      const byOwner = new Map<string, Meta[]>();
      const add = (k: string, c: Meta): void => {
        const arr = byOwner.get(k);
        if (arr) arr.push(c);
        else byOwner.set(k, [c]);
      };
      for (const list of Object.values(this.store) as Meta[][]) {
        for (const c of list) {
          const ref = c.owner;
          if (!ref || ref.kind !== o.kind) continue;
          if (ref.uid) add(ref.uid, c);
          else add(`${c.namespace}/${ref.name}`, c);
        }
      }
      this.childIndex.set(o.kind, (index = byOwner));
    }
    const byUid = o.uid ? index.get(o.uid) : undefined;
    const byName = index.get(`${o.namespace}/${o.name}`);
    if (byUid && byName) return [...byUid, ...byName];
    return byUid ?? byName ?? NONE;
  }

  /** Pods owned (directly or through ReplicaSets/Jobs) by a workload. */
  podsOf(workload: Meta): Pod[] {
    const out: Pod[] = [];
    const walk = (o: Meta, depth: number): void => {
      for (const c of this.children(o)) {
        if (c.kind === "Pod") out.push(c as Pod);
        else if (depth < 3) walk(c, depth + 1);
      }
    };
    walk(workload, 0);
    return out;
  }

  podsOnNode(nodeName: string): readonly Pod[] {
    if (!this.nodeIndex) {
      this.nodeIndex = new Map();
      for (const p of this.store.Pod) {
        if (!p.nodeName) continue;
        const arr = this.nodeIndex.get(p.nodeName);
        if (arr) arr.push(p);
        else this.nodeIndex.set(p.nodeName, [p]);
      }
    }
    return this.nodeIndex.get(nodeName) ?? NONE;
  }

  podsInNamespace(namespace: string): readonly Pod[] {
    if (!this.podsByNs) {
      this.podsByNs = new Map();
      for (const p of this.store.Pod) {
        const arr = this.podsByNs.get(p.namespace);
        if (arr) arr.push(p);
        else this.podsByNs.set(p.namespace, [p]);
      }
    }
    return this.podsByNs.get(namespace) ?? NONE;
  }

  /**
   * Pods in a namespace matching a selector, in input order. Pods stamped from one template
   * share their labels object, so the selector is matched once per distinct label set (45,000
   * for 150,000 pods), found through postings of label key -> value -> label sets: resolving
   * every Service and PDB of a large cluster neither scans every pod nor builds a key string
   * per label.
   */
  selectPods(namespace: string, selector: Selector): Pod[] {
    if (selector.matchesNone) return [];
    const inNs = this.podsInNamespace(namespace);
    if (selector.matchesAll) return [...inNs];
    const idx = this.labelSets(namespace);
    let candidates: readonly LabelSet[] = idx.sets;
    const eq = selector.equals;
    for (let i = 0; i < eq.length; i += 2) {
      const list = idx.postings.get(eq[i]!)?.get(eq[i + 1]!);
      if (!list) return [];
      if (list.length < candidates.length) candidates = list;
    }
    let first: LabelSet | undefined;
    let more: Set<Labels> | undefined;
    for (const set of candidates) {
      if (!matches(selector, set.labels)) continue;
      if (!first) first = set;
      else (more ??= new Set([first.labels])).add(set.labels);
    }
    if (!first) return [];
    if (!more) return [...first.pods];
    return inNs.filter((p) => more.has(p.labels));
  }

  private labelSets(namespace: string): NamespaceLabelSets {
    let idx = this.labelIndex.get(namespace);
    if (idx) return idx;
    const byLabels = new Map<Labels, LabelSet>();
    const sets: LabelSet[] = [];
    const postings = new Map<string, Map<string, LabelSet[]>>();
    for (const p of this.podsInNamespace(namespace)) {
      const known = byLabels.get(p.labels);
      if (known) {
        known.pods.push(p);
        continue;
      }
      const set: LabelSet = { labels: p.labels, pods: [p] };
      byLabels.set(p.labels, set);
      sets.push(set);
      for (const k in p.labels) {
        let byValue = postings.get(k);
        if (!byValue) postings.set(k, (byValue = new Map()));
        const v = p.labels[k]!;
        const list = byValue.get(v);
        if (list) list.push(set);
        else byValue.set(v, [set]);
      }
    }
    idx = { sets, postings };
    this.labelIndex.set(namespace, idx);
    return idx;
  }

  servicePods(svc: Service): Pod[] {
    return this.selectPods(svc.namespace, svc.selector);
  }

  pdbPods(pdb: PodDisruptionBudget): Pod[] {
    return this.selectPods(pdb.namespace, pdb.selector);
  }

  networkPolicyPods(np: NetworkPolicy): Pod[] {
    return this.selectPods(np.namespace, np.podSelector);
  }

  /** Objects of a kind in one namespace (an index built on first use). */
  inNamespace<K extends ProjectedKind>(kind: K, namespace: string): readonly ProjectionByKind[K][] {
    let idx = this.byNamespace.get(kind);
    if (!idx) {
      idx = new Map();
      for (const o of this.store[kind] as Meta[]) {
        const arr = idx.get(o.namespace);
        if (arr) arr.push(o);
        else idx.set(o.namespace, [o]);
      }
      this.byNamespace.set(kind, idx);
    }
    return (idx.get(namespace) ?? NONE) as readonly ProjectionByKind[K][];
  }

  /** PDBs whose selector covers these labels in a namespace (a pod's, or a pod template's). */
  pdbsFor(namespace: string, labels: Labels): PodDisruptionBudget[] {
    return this.inNamespace("PodDisruptionBudget", namespace).filter((b) => matches(b.selector, labels));
  }

  endpointSlicesOf(svc: Service): readonly EndpointSlice[] {
    if (!this.slicesBySvc) {
      this.slicesBySvc = new Map();
      for (const s of this.store.EndpointSlice) {
        const k = key(s.namespace, s.serviceName);
        const arr = this.slicesBySvc.get(k);
        if (arr) arr.push(s);
        else this.slicesBySvc.set(k, [s]);
      }
    }
    return this.slicesBySvc.get(key(svc.namespace, svc.name)) ?? NONE;
  }

  /** The object an HPA scales, if it exists. */
  hpaTarget(hpa: HorizontalPodAutoscaler): Meta | undefined {
    const kind = hpa.target.kind as ProjectedKind;
    return kind in this.store ? this.get(kind, hpa.namespace, hpa.target.name) : undefined;
  }

  pvcVolume(pvc: PersistentVolumeClaim): PersistentVolume | undefined {
    if (pvc.volumeName) return this.get("PersistentVolume", "", pvc.volumeName);
    return this.store.PersistentVolume.find(
      (pv) => pv.claim?.namespace === pvc.namespace && pv.claim.name === pvc.name,
    );
  }

  storageClassOf(o: { storageClassName?: string }): StorageClass | undefined {
    // "" means "no class" (static binding), not "the default".
    if (o.storageClassName !== undefined)
      return o.storageClassName === "" ? undefined : this.get("StorageClass", "", o.storageClassName);
    return this.store.StorageClass.find((s) => s.isDefault);
  }

  /** What a pod refers to, each with whether it exists (undefined: that kind was not collected). */
  podReferences(pod: Pod): { kind: ProjectedKind; name: string; exists: boolean | undefined }[] {
    const refs: { kind: ProjectedKind; name: string }[] = [];
    const all = [...pod.initContainers, ...pod.containers];
    for (const n of new Set([...pod.volumes.configMaps, ...all.flatMap((c) => c.envConfigMaps)]))
      refs.push({ kind: "ConfigMap", name: n });
    for (const n of new Set([...pod.volumes.secrets, ...all.flatMap((c) => c.envSecrets)]))
      refs.push({ kind: "Secret", name: n });
    for (const n of new Set(pod.volumes.pvcs)) refs.push({ kind: "PersistentVolumeClaim", name: n });
    refs.push({ kind: "ServiceAccount", name: pod.serviceAccount });
    return refs.map((r) => ({
      ...r,
      exists: this.isCollected(r.kind) ? this.get(r.kind, pod.namespace, r.name) !== undefined : undefined,
    }));
  }
}
