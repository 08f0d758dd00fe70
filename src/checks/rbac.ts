/**
 * RBAC: over-broad grants (wildcards, cluster-admin, exec/attach, escalate/bind/impersonate,
 * nodes/proxy, cluster-wide secret reads, anonymous access) and dangling references (bindings
 * to missing roles or ServiceAccounts, roles bound by nothing). The built-in roles the API
 * server reconciles (cluster-admin, admin, edit, view, system:*) are not judged as roles.
 * RBAC object counts are small (thousands); every lookup goes through state indexes.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { PolicyRule, Role, RoleBinding, Subject } from "../state/types.js";
import type { FindingDraft, Rule, Severity } from "./types.js";
import { defineRule, ref } from "./types.js";
import { objectsOf } from "./workload-templates.js";

/** The user-facing roles the API server creates and reconciles on every start. */
const DEFAULT_ROLES: ReadonlySet<string> = new Set(["cluster-admin", "admin", "edit", "view"]);

/** True for roles Kubernetes itself defines (and keeps reconciling): not a team's to fix. */
export function isBuiltinRole(r: Pick<Role, "name" | "labels">): boolean {
  return (
    DEFAULT_ROLES.has(r.name) ||
    r.name.startsWith("system:") ||
    r.labels["kubernetes.io/bootstrapping"] === "rbac-defaults"
  );
}

/**
 * Bindings the API server creates and reconciles itself (label kubernetes.io/bootstrapping:
 * rbac-defaults, or a system: binding of a system: role): the controllers' own grants, not a
 * team's to fix, and noise in every report if judged.
 */
export function isBuiltinBinding(b: Pick<RoleBinding, "name" | "labels" | "roleRef">): boolean {
  return (
    b.labels["kubernetes.io/bootstrapping"] === "rbac-defaults" ||
    (b.name.startsWith("system:") && b.roleRef.name.startsWith("system:"))
  );
}

function isSystemSubject(s: Subject): boolean {
  return s.name.startsWith("system:");
}

function subjectText(s: Subject): string {
  return s.kind === "ServiceAccount"
    ? `ServiceAccount ${s.namespace ?? ""}/${s.name}`
    : `${s.kind} ${s.name}`;
}

function ruleText(r: PolicyRule): string {
  if (r.nonResourceURLs.length) return `${r.nonResourceURLs.join(",")}: ${r.verbs.join(",")}`;
  const groups = r.apiGroups.map((g) => (g === "" ? "core" : g)).join(",");
  const names = r.resourceNames.length ? ` (${r.resourceNames.join(",")})` : "";
  return `${groups}/${r.resources.join(",")}${names}: ${r.verbs.join(",")}`;
}

function inCoreGroup(r: PolicyRule): boolean {
  return r.apiGroups.includes("") || r.apiGroups.includes("*");
}

function hasVerb(r: PolicyRule, verbs: readonly string[]): boolean {
  return r.verbs.includes("*") || verbs.some((v) => r.verbs.includes(v));
}

/** Roles and ClusterRoles a team owns: not built in, not aggregated (those repeat their parts). */
function ownRoles(state: ClusterState): readonly Role[] {
  return state.derive("rbac:own-roles", (s) =>
    [...s.list("Role"), ...s.list("ClusterRole")].filter((r) => !isBuiltinRole(r) && !r.aggregated),
  );
}

interface RoleCheck {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly rationale: string;
  readonly fix: string;
  /** True for a PolicyRule that breaks the check. */
  readonly offending: (r: PolicyRule) => boolean;
  readonly message: (rules: string[]) => string;
}

/** A rule judging the PolicyRules of every own Role and ClusterRole. */
function roleRule(spec: RoleCheck): Rule {
  return defineRule({
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    category: "security",
    rationale: spec.rationale,
    fix: spec.fix,
    kinds: ["Role", "ClusterRole"],
    targets: objectsOf("Role", "ClusterRole"),
    evaluate(state): FindingDraft[] {
      const out: FindingDraft[] = [];
      for (const role of ownRoles(state)) {
        const bad = role.rules.filter(spec.offending).map(ruleText);
        if (bad.length)
          out.push({
            object: ref(role),
            message: spec.message(bad),
            evidence: { rules: bad.join("; "), scope: role.kind === "ClusterRole" ? "cluster" : "namespace" },
          });
      }
      return out;
    },
  });
}

export const wildcardVerbs = roleRule({
  id: "rbac-wildcard-verbs",
  title: "Role grants every verb (*)",
  severity: "high",
  rationale:
    "verbs: ['*'] grants today's verbs and any added later, including escalate, bind and impersonate: far more than a workload or person needs.",
  fix: "List the verbs the subject needs (get, list, watch; create/update/patch only where it writes).",
  offending: (r) => r.verbs.includes("*"),
  message: (rules) => `grants all verbs: ${rules.join("; ")}`,
});

export const wildcardResources = roleRule({
  id: "rbac-wildcard-resources",
  title: "Role grants every resource (*)",
  severity: "high",
  rationale:
    "resources: ['*'] covers every resource of the listed API groups, including Secrets, subresources such as pods/exec, and any custom resource installed later.",
  fix: "List the resources the subject needs; grant secrets and subresources only explicitly.",
  offending: (r) => r.resources.includes("*"),
  message: (rules) => `grants all resources: ${rules.join("; ")}`,
});

const EXEC_RESOURCES = ["pods/exec", "pods/attach"];

export const execAttach = roleRule({
  id: "rbac-exec-attach",
  title: "Role allows exec or attach into pods",
  severity: "medium",
  rationale:
    "create on pods/exec or pods/attach runs commands inside any pod the role reaches: its mounted Secrets, tokens and data are the subject's.",
  fix: "Remove pods/exec and pods/attach from standing roles; grant them just in time (a break-glass group) and audit their use.",
  offending: (r) =>
    inCoreGroup(r) && EXEC_RESOURCES.some((x) => r.resources.includes(x)) && hasVerb(r, ["create"]),
  message: (rules) => `allows exec/attach: ${rules.join("; ")}`,
});

export const escalateBind = roleRule({
  id: "rbac-escalate-bind",
  title: "Role grants the escalate or bind verb",
  severity: "high",
  rationale:
    "escalate lets the subject write roles with permissions it does not hold, bind lets it bind any role: either one is a path to cluster-admin.",
  fix: "Remove escalate and bind; only the RBAC managers of the platform team should hold them, and only on named roles (resourceNames).",
  offending: (r) => r.verbs.includes("escalate") || r.verbs.includes("bind"),
  message: (rules) => `grants escalate/bind: ${rules.join("; ")}`,
});

export const impersonate = roleRule({
  id: "rbac-impersonate",
  title: "Role grants the impersonate verb",
  severity: "high",
  rationale:
    "impersonate lets the subject act as other users, groups or ServiceAccounts, with all their permissions: a direct privilege escalation.",
  fix: "Remove impersonate, or restrict it with resourceNames to the exact identities a tool must assume.",
  offending: (r) => r.verbs.includes("impersonate"),
  message: (rules) => `grants impersonate: ${rules.join("; ")}`,
});

export const nodeProxy = roleRule({
  id: "rbac-node-proxy",
  title: "Role grants nodes/proxy",
  severity: "high",
  rationale:
    "nodes/proxy reaches the kubelet API of every node: it can run commands in any pod on them, bypassing pods/exec authorization and its audit trail.",
  fix: "Remove nodes/proxy; read metrics through nodes/metrics or the metrics API instead.",
  offending: (r) => inCoreGroup(r) && r.resources.includes("nodes/proxy") && hasVerb(r, ["get", "create"]),
  message: (rules) => `grants the kubelet API: ${rules.join("; ")}`,
});

export const clusterAdminBinding = defineRule({
  id: "rbac-cluster-admin-binding",
  title: "Binding to cluster-admin",
  severity: "high",
  category: "security",
  rationale:
    "cluster-admin can do anything to any object, including reading every Secret and rewriting RBAC; each extra holder widens who can take the whole cluster.",
  fix: "Bind a narrower role (admin in one namespace, or a purpose-made ClusterRole); keep cluster-admin to a break-glass group.",
  kinds: ["ClusterRoleBinding", "RoleBinding"],
  targets: objectsOf("RoleBinding", "ClusterRoleBinding"),
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const b of [...state.list("ClusterRoleBinding"), ...state.list("RoleBinding")]) {
      if (b.roleRef.kind !== "ClusterRole" || b.roleRef.name !== "cluster-admin" || isBuiltinBinding(b))
        continue;
      const subjects = b.subjects.filter((s) => !isSystemSubject(s));
      if (subjects.length === 0) continue;
      const scope = b.kind === "ClusterRoleBinding" ? "cluster" : "namespace";
      out.push({
        object: ref(b),
        message: `grants cluster-admin${scope === "namespace" ? ` in namespace ${b.namespace}` : ""} to ${subjects.map(subjectText).join(", ")}`,
        evidence: { subjects: subjects.map(subjectText).join(","), scope },
      });
    }
    return out;
  },
});

/** True when a rule lets the subject read Secrets' contents (any of them, not named ones). */
function readsSecrets(r: PolicyRule): boolean {
  return (
    inCoreGroup(r) &&
    (r.resources.includes("secrets") || r.resources.includes("*")) &&
    r.resourceNames.length === 0 &&
    hasVerb(r, ["get", "list", "watch"])
  );
}

export const secretsClusterWide = defineRule({
  id: "rbac-secrets-read-cluster-wide",
  title: "Secrets readable in every namespace",
  severity: "high",
  category: "security",
  rationale:
    "A ClusterRoleBinding to a role that reads Secrets hands its subjects every credential in the cluster: database passwords, TLS keys and ServiceAccount tokens.",
  fix: "Bind the role with RoleBindings in the namespaces that need it, or narrow it with resourceNames; give controllers that must watch Secrets a dedicated, audited account.",
  kinds: ["ClusterRoleBinding", "ClusterRole"],
  targets: (state) => state.list("ClusterRoleBinding"),
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const b of state.list("ClusterRoleBinding")) {
      if (b.roleRef.kind !== "ClusterRole" || b.roleRef.name === "cluster-admin") continue; // rbac-cluster-admin-binding
      if (isBuiltinBinding(b)) continue;
      const subjects = b.subjects.filter((s) => !isSystemSubject(s));
      if (subjects.length === 0) continue;
      const role = state.get("ClusterRole", "", b.roleRef.name);
      const rules = role?.rules.filter(readsSecrets) ?? [];
      if (rules.length === 0) continue;
      out.push({
        object: ref(b),
        message: `ClusterRole ${b.roleRef.name} reads Secrets in every namespace, granted to ${subjects.map(subjectText).join(", ")}`,
        evidence: {
          role: b.roleRef.name,
          rules: rules.map(ruleText).join("; "),
          subjects: subjects.map(subjectText).join(","),
        },
      });
    }
    return out;
  },
});

const ANONYMOUS = new Set(["User/system:anonymous", "Group/system:unauthenticated"]);

export const anonymousBinding = defineRule({
  id: "rbac-anonymous-binding",
  title: "Binding grants access to anonymous users",
  severity: "critical",
  category: "security",
  rationale:
    "A binding to system:anonymous or system:unauthenticated grants its role to anyone who can reach the API server, without credentials.",
  fix: "Delete the binding, or bind the role to an authenticated group instead.",
  kinds: ["ClusterRoleBinding", "RoleBinding"],
  targets: objectsOf("RoleBinding", "ClusterRoleBinding"),
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const b of [...state.list("ClusterRoleBinding"), ...state.list("RoleBinding")]) {
      // The API server's own (system:public-info-viewer: /healthz, /version) are intended.
      if (b.name.startsWith("system:") || b.roleRef.name.startsWith("system:")) continue;
      const anon = b.subjects.filter((s) => ANONYMOUS.has(`${s.kind}/${s.name}`));
      if (anon.length === 0) continue;
      out.push({
        object: ref(b),
        message: `grants ${b.roleRef.kind} ${b.roleRef.name} to ${anon.map(subjectText).join(", ")}`,
        evidence: { role: `${b.roleRef.kind}/${b.roleRef.name}`, subjects: anon.map(subjectText).join(",") },
      });
    }
    return out;
  },
});

function allBindings(state: ClusterState): readonly RoleBinding[] {
  return state.derive("rbac:bindings", (s) => [...s.list("RoleBinding"), ...s.list("ClusterRoleBinding")]);
}

export const bindingMissingRole = defineRule({
  id: "rbac-binding-missing-role",
  title: "Binding refers to a role that does not exist",
  severity: "medium",
  category: "security",
  rationale:
    "A binding to a missing role grants nothing today, but whoever later creates a role of that name silently grants it to the binding's subjects.",
  fix: "Delete the stale binding, or create the role it was meant for (and check its subjects still need it).",
  kinds: ["RoleBinding", "ClusterRoleBinding", "Role", "ClusterRole"],
  // Without the roles read, every binding would look dangling.
  requires: ["Role", "ClusterRole"],
  targets: allBindings,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const b of allBindings(state)) {
      const { kind, name } = b.roleRef;
      // Built-in roles always exist on a live cluster (the API server recreates them): manifests rarely carry them.
      if (kind === "ClusterRole" && (DEFAULT_ROLES.has(name) || name.startsWith("system:"))) continue;
      const exists =
        kind === "Role"
          ? state.get("Role", b.namespace, name)
          : kind === "ClusterRole"
            ? state.get("ClusterRole", "", name)
            : undefined;
      if (exists) continue;
      out.push({
        object: ref(b),
        message: `refers to ${kind} ${name}, which does not exist`,
        evidence: { roleRef: `${kind}/${name}` },
      });
    }
    return out;
  },
});

export const bindingMissingServiceAccount = defineRule({
  id: "rbac-binding-missing-service-account",
  title: "Binding grants a role to a ServiceAccount that does not exist",
  severity: "medium",
  category: "security",
  rationale:
    "A binding to a missing ServiceAccount is dead weight at best; at worst anyone who can create a ServiceAccount of that name in that namespace inherits the role.",
  fix: "Delete the subject (or the binding), or create the ServiceAccount it was meant for.",
  kinds: ["RoleBinding", "ClusterRoleBinding", "ServiceAccount"],
  requires: ["ServiceAccount"],
  targets: allBindings,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    // With -n only this namespace's ServiceAccounts were read: subjects elsewhere cannot be judged.
    const only = state.info.namespace;
    for (const b of allBindings(state)) {
      const missing: string[] = [];
      for (const s of b.subjects) {
        if (s.kind !== "ServiceAccount") continue;
        const ns = s.namespace || b.namespace;
        if (!ns || (only !== undefined && ns !== only)) continue;
        if (!state.get("ServiceAccount", ns, s.name)) missing.push(`${ns}/${s.name}`);
      }
      if (missing.length === 0) continue;
      out.push({
        object: ref(b),
        message: `subject ServiceAccount ${missing.join(", ")} does not exist`,
        evidence: { serviceAccounts: missing.join(","), roleRef: `${b.roleRef.kind}/${b.roleRef.name}` },
      });
    }
    return out;
  },
});

/** Roles some binding refers to: `Role/ns/name` and `ClusterRole/name`, built once. */
function referencedRoles(state: ClusterState): ReadonlySet<string> {
  return state.derive("rbac:referenced-roles", (s) => {
    const out = new Set<string>();
    for (const b of allBindings(s)) {
      out.add(
        b.roleRef.kind === "Role"
          ? `Role/${b.namespace}/${b.roleRef.name}`
          : `${b.roleRef.kind}/${b.roleRef.name}`,
      );
    }
    return out;
  });
}

/** A ClusterRole labelled to aggregate into another (admin, edit, view or a custom one) is used through it. */
function aggregatesInto(r: Role): boolean {
  return Object.keys(r.labels).some(
    (k) => k.startsWith("rbac.authorization.k8s.io/aggregate-to-") || k.includes("/aggregate-to-"),
  );
}

export const unusedRole = defineRule({
  id: "rbac-unused-role",
  title: "Role or ClusterRole bound by nothing",
  severity: "info",
  category: "security",
  rationale:
    "A role nobody is bound to grants nothing, but it is clutter that hides the roles that matter and a ready-made grant for a careless binding later.",
  fix: "Delete the role if its workload is gone; otherwise bind it to the subject that needs it.",
  kinds: ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"],
  // Without the bindings read, every role would look unused.
  requires: ["RoleBinding", "ClusterRoleBinding"],
  targets: objectsOf("Role", "ClusterRole"),
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const used = referencedRoles(state);
    // With -n only this namespace's RoleBindings were read: a ClusterRole may be bound elsewhere.
    const judgeClusterRoles = state.info.namespace === undefined;
    for (const r of ownRoles(state)) {
      if (r.kind === "ClusterRole" && (!judgeClusterRoles || aggregatesInto(r))) continue;
      const key = r.kind === "Role" ? `Role/${r.namespace}/${r.name}` : `ClusterRole/${r.name}`;
      if (used.has(key)) continue;
      out.push({
        object: ref(r),
        message: `no ${r.kind === "Role" ? "RoleBinding" : "RoleBinding or ClusterRoleBinding"} refers to it`,
        evidence: { rules: r.rules.length, scope: r.kind === "ClusterRole" ? "cluster" : "namespace" },
      });
    }
    return out;
  },
});

export const RBAC_RULES: readonly Rule[] = [
  wildcardVerbs,
  wildcardResources,
  clusterAdminBinding,
  execAttach,
  escalateBind,
  impersonate,
  nodeProxy,
  secretsClusterWide,
  anonymousBinding,
  bindingMissingRole,
  bindingMissingServiceAccount,
  unusedRole,
];
