/** Roles, ClusterRoles and their bindings. */
import type { KubeObject } from "../raw.js";
import type { PolicyRule, Role, RoleBinding } from "../types.js";
import { assemble } from "./common.js";
import type { Interner } from "./common.js";
import { arr, isObj, meta, obj, str, strings } from "./common.js";

export function projectRole(o: KubeObject, kind: "Role" | "ClusterRole", intern: Interner): Role {
  const base = meta(o, kind, intern);
  const rules: PolicyRule[] = arr(o.rules).map((r) => ({
    apiGroups: strings(r.apiGroups, intern),
    resources: strings(r.resources, intern),
    verbs: strings(r.verbs, intern),
    resourceNames: strings(r.resourceNames),
    nonResourceURLs: strings(r.nonResourceURLs, intern),
  }));
  return assemble(base, { rules, aggregated: isObj(o.aggregationRule) });
}

export function projectBinding(
  o: KubeObject,
  kind: "RoleBinding" | "ClusterRoleBinding",
  intern: Interner,
): RoleBinding {
  const base = meta(o, kind, intern);
  const ref = obj(o.roleRef);
  return assemble(base, {
    roleRef: { kind: intern.str(str(ref.kind) ?? ""), name: str(ref.name) ?? "" },
    subjects: arr(o.subjects).map((s) => ({
      kind: intern.str(str(s.kind) ?? ""),
      name: str(s.name) ?? "",
      namespace: str(s.namespace),
    })),
  });
}
