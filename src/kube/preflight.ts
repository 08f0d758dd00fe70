/**
 * Permission preflight: before a live collection, ask the API server what the current user
 * may list, so kinds it may not are recorded as "not-permitted" without a request that is
 * bound to be refused, and the report can say which verb on which resource was missing.
 *
 * One SelfSubjectAccessReview per kind (`list`, cluster-wide or in the -n namespace), a few
 * at a time: one review per kind scales with the catalogue (30 kinds), not with the number
 * of namespaces, as one SelfSubjectRulesReview per namespace would. With -n, one
 * SelfSubjectRulesReview for that namespace comes first: a namespaced kind its rules allow
 * needs no access review. Rules reviews are never trusted to deny (they may be incomplete,
 * e.g. with webhook authorizers); only an access review denies.
 *
 * If the review API itself is refused or fails, the preflight is "unavailable" and the
 * collector lists everything as before, recording 403s as they come. Unauthorized,
 * unreachable and aborted runs throw, as the collector would.
 */
import { KINDS, type KindInfo } from "../state/kinds.js";
import type { KubeConnection } from "./connection.js";
import { KubeApiError } from "./errors.js";
import { KubeClient, type KubeClientOptions, type KubeResult } from "./http.js";
import { kindPermissions, type KindPermission, permissionText } from "./permissions.js";

export const SSAR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
export const SSRR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
export const SSR_PATH = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

export interface PermissionCheck {
  readonly kind: string;
  readonly allowed: boolean;
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  /** Set when the check was made in one namespace (-n). */
  readonly namespace?: string;
  /** Which review decided: an access review, or the namespace's rules review (allow only). */
  readonly source: "access-review" | "rules-review";
  /** Why: the authorizer's reason when it gave one, else what was checked. */
  readonly reason: string;
  /**
   * Denied, and an add-on's kind (KindInfo.optional) that discovery says is not served: the
   * kind is "not-installed" rather than "not-permitted" (an absent add-on is no gap). Names
   * the CRD and group/version.
   */
  readonly notServed?: string;
}

export interface PreflightResult {
  /** False when the review API could not be used: nothing is skipped then. */
  readonly available: boolean;
  /** Why the preflight is unavailable. */
  readonly unavailableReason?: string;
  /** One per requested kind, in the requested order (empty when unavailable). */
  readonly checks: readonly PermissionCheck[];
  /** The user name from a SelfSubjectReview, when some kind was denied and it could be asked. */
  readonly user?: string;
}

export interface PreflightOptions extends Pick<KubeClientOptions, "retry" | "onRetry"> {
  kinds?: readonly KindInfo[];
  /** Check namespaced kinds in this namespace only (and post one rules review for it). */
  namespace?: string;
  /** Access reviews in flight at once; default 8. */
  concurrency?: number;
  signal?: AbortSignal;
}

const DEFAULT_CONCURRENCY = 8;

// ---------------------------------------------------------------------------------------
// pure parts

/** The ResourceAttributes of a `list` check for one kind. */
export function accessReviewBody(
  p: KindPermission,
  verb: string,
  namespace?: string,
): Record<string, unknown> {
  const resourceAttributes: Record<string, string> = { verb, group: p.group, resource: p.resource };
  if (p.namespaced && namespace) resourceAttributes.namespace = namespace;
  return {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SelfSubjectAccessReview",
    spec: { resourceAttributes },
  };
}

export interface AccessReviewStatus {
  allowed?: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export interface ResourceRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface RulesReviewStatus {
  resourceRules?: ResourceRule[];
  incomplete?: boolean;
  evaluationError?: string;
}

/**
 * Whether a rules review's rules allow `verb` on group/resource for every object: `*`
 * matches any verb, group or resource; a rule limited to resourceNames does not allow a list.
 */
export function rulesAllow(
  rules: readonly ResourceRule[],
  verb: string,
  group: string,
  resource: string,
): boolean {
  return rules.some(
    (r) =>
      (r.resourceNames ?? []).length === 0 &&
      (r.verbs ?? []).some((v) => v === "*" || v === verb) &&
      (r.apiGroups ?? []).some((g) => g === "*" || g === group) &&
      (r.resources ?? []).some((x) => x === "*" || x === resource),
  );
}

/** The not-permitted coverage reason for a denied check. */
export function deniedReason(c: PermissionCheck, user?: string): string {
  const where = c.namespace ? ` in namespace "${c.namespace}"` : "";
  const who = user ? `; user "${user}"` : "";
  return `RBAC: cannot ${permissionText(c.verb, c.group, c.resource)}${where} (preflight${who})`;
}

/** One check from an access review's answer. */
export function checkFromAccessReview(
  p: KindPermission,
  verb: string,
  namespace: string | undefined,
  status: AccessReviewStatus,
): PermissionCheck {
  const allowed = status.allowed === true && status.denied !== true;
  const what = permissionText(verb, p.group, p.resource);
  const detail = [status.reason, status.evaluationError ? `evaluation error: ${status.evaluationError}` : ""]
    .filter(Boolean)
    .join("; ");
  return {
    kind: p.kind,
    allowed,
    verb,
    group: p.group,
    resource: p.resource,
    ...(p.namespaced && namespace ? { namespace } : {}),
    source: "access-review",
    reason: detail || `${allowed ? "allowed" : "denied"}: ${what}`,
  };
}

/**
 * Which kinds a rules review already settles as allowed (namespaced kinds in its namespace
 * only; cluster-scoped kinds and everything it does not allow still go to access reviews).
 */
export function allowedByRulesReview(
  perms: readonly KindPermission[],
  verb: string,
  namespace: string,
  status: RulesReviewStatus | undefined,
): Map<string, PermissionCheck> {
  const out = new Map<string, PermissionCheck>();
  const rules = status?.resourceRules ?? [];
  for (const p of perms) {
    if (!p.namespaced || !rulesAllow(rules, verb, p.group, p.resource)) continue;
    out.set(p.kind, {
      kind: p.kind,
      allowed: true,
      verb,
      group: p.group,
      resource: p.resource,
      namespace,
      source: "rules-review",
      reason: `allowed by the rules of namespace "${namespace}": ${permissionText(verb, p.group, p.resource)}`,
    });
  }
  return out;
}

/** What the collector records, without a request, for a kind the preflight settled. */
export interface SkippedKind {
  readonly status: "not-permitted" | "not-installed";
  readonly reason: string;
}

/** Kind -> coverage for every kind the preflight found not allowed (none when unavailable). */
export function skippedKinds(result: PreflightResult): Map<string, SkippedKind> {
  const out = new Map<string, SkippedKind>();
  if (!result.available) return out;
  for (const c of result.checks) {
    if (c.allowed) continue;
    out.set(
      c.kind,
      c.notServed
        ? { status: "not-installed", reason: `${c.notServed} not installed (not served; preflight)` }
        : { status: "not-permitted", reason: deniedReason(c, result.user) },
    );
  }
  return out;
}

/** "list secrets, list nodes": what the preflight found missing (kinds not served excepted). */
export function missingPermissions(result: PreflightResult): string[] {
  if (!result.available) return [];
  return [
    ...new Set(
      result.checks
        .filter((c) => !c.allowed && !c.notServed)
        .map((c) => permissionText(c.verb, c.group, c.resource)),
    ),
  ];
}

// ---------------------------------------------------------------------------------------
// the calls

/** Thrown inside the preflight when the review API cannot be used; becomes "unavailable". */
class ReviewUnavailable extends Error {}

function parseBody<T>(res: KubeResult, what: string): T {
  if (res.type !== "ok") throw new ReviewUnavailable(`${what}: ${res.type}: ${res.message}`);
  try {
    return JSON.parse(res.body.toString("utf8")) as T;
  } catch (e) {
    throw new ReviewUnavailable(`${what}: unreadable response: ${(e as Error).message}`);
  }
}

async function post<T>(
  client: KubeClient,
  path: string,
  body: unknown,
  what: string,
  signal: AbortSignal | undefined,
): Promise<T> {
  let res: KubeResult;
  try {
    res = await client.post(path, body, { signal });
  } catch (err) {
    if (err instanceof KubeApiError) throw new ReviewUnavailable(`${what}: ${err.message}`);
    throw err; // unauthorized, unreachable, aborted: the run cannot go on anyway
  }
  return parseBody<T>(res, what);
}

/** Runs `fn` over items with at most `limit` in flight; the first error wins after the rest settle. */
async function eachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw failed.err;
}

/** Asks the API server what the current user may list; see the file comment. */
export async function preflight(conn: KubeConnection, opts: PreflightOptions = {}): Promise<PreflightResult> {
  const client = new KubeClient(conn, { retry: opts.retry, onRetry: opts.onRetry });
  const kinds = opts.kinds ?? KINDS;
  const perms = kindPermissions(kinds);
  const namespace = opts.namespace || undefined;
  const verbOf = (p: KindPermission): string => p.verbs[0] ?? "list";
  try {
    let fromRules = new Map<string, PermissionCheck>();
    if (namespace) {
      // Cheap (one call) and only ever used to allow; a failure here is not a reason to give up.
      try {
        const review = await post<{ status?: RulesReviewStatus }>(
          client,
          SSRR_PATH,
          { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace } },
          "SelfSubjectRulesReview",
          opts.signal,
        );
        fromRules = allowedByRulesReview(perms, "list", namespace, review.status);
      } catch (err) {
        if (!(err instanceof ReviewUnavailable)) throw err;
      }
    }
    const checks = new Map<string, PermissionCheck>(fromRules);
    const pending = perms.filter((p) => !checks.has(p.kind));
    await eachLimit(pending, opts.concurrency ?? DEFAULT_CONCURRENCY, async (p) => {
      const verb = verbOf(p);
      const review = await post<{ status?: AccessReviewStatus }>(
        client,
        SSAR_PATH,
        accessReviewBody(p, verb, namespace),
        `SelfSubjectAccessReview (${permissionText(verb, p.group, p.resource)})`,
        opts.signal,
      );
      if (!review.status) throw new ReviewUnavailable("SelfSubjectAccessReview: answer without a status");
      checks.set(p.kind, checkFromAccessReview(p, verb, namespace, review.status));
    });
    // An add-on's kind (KindInfo.optional) that is denied may simply not be installed: RBAC
    // answers for any resource name. Discovery (open to every authenticated user) tells.
    const infos = new Map(kinds.map((k) => [k.kind, k]));
    const deniedOptional = perms.filter((p) => !checks.get(p.kind)!.allowed && infos.get(p.kind)?.optional);
    const served = new Map<string, Promise<ServedResources | undefined>>();
    await eachLimit(deniedOptional, opts.concurrency ?? DEFAULT_CONCURRENCY, async (p) => {
      const info = infos.get(p.kind)!;
      const gv = `${info.group}/${info.version}`;
      if (!served.has(gv)) served.set(gv, discover(client, gv, opts.signal));
      const resources = await served.get(gv)!;
      if (resources !== undefined && !resources.has(p.resource)) {
        checks.set(p.kind, { ...checks.get(p.kind)!, notServed: `${info.optional!.crd} (${gv})` });
      }
    });
    const ordered = perms.map((p) => checks.get(p.kind)!);
    const user = ordered.some((c) => !c.allowed && !c.notServed)
      ? await whoAmI(client, opts.signal)
      : undefined;
    return { available: true, checks: ordered, ...(user ? { user } : {}) };
  } catch (err) {
    if (err instanceof ReviewUnavailable)
      return { available: false, unavailableReason: err.message, checks: [] };
    throw err;
  }
}

/** The resources a group/version serves: empty when it is not served (404), undefined when unknown. */
type ServedResources = ReadonlySet<string>;

async function discover(
  client: KubeClient,
  groupVersion: string,
  signal: AbortSignal | undefined,
): Promise<ServedResources | undefined> {
  try {
    const res = await client.get(`/apis/${groupVersion}`, { signal });
    if (res.type === "not-found") return new Set();
    if (res.type !== "ok") return undefined;
    const list = JSON.parse(res.body.toString("utf8")) as { resources?: { name?: unknown }[] };
    if (!Array.isArray(list.resources)) return undefined;
    return new Set(list.resources.map((r) => (typeof r?.name === "string" ? r.name : "")));
  } catch (err) {
    if (err instanceof KubeApiError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** The user name, for messages; undefined when SelfSubjectReview is not served or refused. */
async function whoAmI(client: KubeClient, signal: AbortSignal | undefined): Promise<string | undefined> {
  try {
    const r = await post<{ status?: { userInfo?: { username?: string } } }>(
      client,
      SSR_PATH,
      { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      "SelfSubjectReview",
      signal,
    );
    return r.status?.userInfo?.username || undefined;
  } catch (err) {
    if (err instanceof ReviewUnavailable) return undefined;
    throw err;
  }
}
