/**
 * Pod Security Standards, one rule per control, judged on pod templates (one finding per
 * workload, naming its containers). Every finding carries `pss` (the level) and `control`
 * (the control's name in the standard), and PSS_CONTROLS maps each control to its rule, so the
 * compliance score can count passed / applicable controls per namespace.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import type { ContainerSpec, PodTemplate, SecurityContext } from "../state/types.js";
import type { FindingDraft, Rule, Severity } from "./types.js";
import { defineRule, ref } from "./types.js";
import {
  TEMPLATE_KINDS,
  templatesFailingSecurity,
  workloadOwners,
  workloadTemplates,
} from "./workload-templates.js";
import { allContainers, hostPath, privileged, runAsRoot } from "./security.js";

export type PssLevel = "baseline" | "restricted";

interface Violation {
  readonly message: string;
  readonly evidence: Readonly<Record<string, string | number | boolean>>;
}

interface PssSpec {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly level: PssLevel;
  readonly control: string;
  readonly rationale: string;
  readonly fix: string;
  /** The violation of this control by a template, or undefined when it complies. */
  readonly check: (t: PodTemplate) => Violation | undefined;
  /**
   * True when `check` reads only security contexts and AppArmor annotations: templates are
   * then judged once per security profile (see templatesFailingSecurity).
   */
  readonly securityOnly?: boolean;
}

/** A PSS control as a rule: walks the shared workload templates once, O(templates x containers). */
function pssRule(spec: PssSpec): Rule {
  const { level, control, check } = spec;
  return defineRule({
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    category: "security",
    rationale: spec.rationale,
    fix: spec.fix,
    kinds: [...TEMPLATE_KINDS],
    targets: workloadOwners,
    evaluate(state): FindingDraft[] {
      const out: FindingDraft[] = [];
      const templates = spec.securityOnly
        ? templatesFailingSecurity(state, spec.id, (t) => check(t) !== undefined)
        : workloadTemplates(state);
      for (const { owner, template } of templates) {
        const v = check(template);
        if (v)
          out.push({
            object: ref(owner),
            message: v.message,
            evidence: { pss: level, control, ...v.evidence },
          });
      }
      return out;
    },
  });
}

/** `name: detail` per offending container, or undefined when none offends. */
function perContainer(
  t: PodTemplate,
  detail: (c: ContainerSpec) => string | undefined,
): { names: string[]; parts: string[] } | undefined {
  // Most templates comply: the arrays are made at the first offending container.
  let out: { names: string[]; parts: string[] } | undefined;
  for (const c of allContainers(t)) {
    const d = detail(c);
    if (d === undefined) continue;
    out ??= { names: [], parts: [] };
    out.names.push(c.name);
    out.parts.push(d === "" ? c.name : `${c.name}: ${d}`);
  }
  return out;
}

// ---- baseline ----------------------------------------------------------------------------

export const pssHostProcess = pssRule({
  id: "pss-host-process",
  title: "Windows HostProcess container",
  severity: "high",
  level: "baseline",
  control: "HostProcess",
  rationale:
    "A Windows HostProcess container runs directly on the host with the node's privileges: it is the Windows equivalent of a privileged container.",
  fix: "Remove windowsOptions.hostProcess; run node-level Windows agents only in a dedicated, exempt namespace.",
  securityOnly: true,
  check(t) {
    const bad = perContainer(t, (c) => (c.security.hostProcess === true ? "" : undefined));
    if (t.podSecurity.hostProcess !== true && !bad) return undefined;
    const where = [...(t.podSecurity.hostProcess === true ? ["pod"] : []), ...(bad?.names ?? [])];
    return {
      message: `windowsOptions.hostProcess: true on ${where.join(", ")}`,
      evidence: { where: where.join(",") },
    };
  },
});

export const pssHostNamespaces = pssRule({
  id: "pss-host-namespaces",
  title: "Pod shares the host's network, PID or IPC namespace",
  severity: "high",
  level: "baseline",
  control: "Host Namespaces",
  rationale:
    "hostNetwork, hostPID and hostIPC remove the isolation between the pod and the node: it can sniff node traffic, see and signal every process, or read shared memory.",
  fix: "Remove hostNetwork, hostPID and hostIPC; expose ports through a Service instead of the host network.",
  check(t) {
    const ns = [t.hostNetwork && "hostNetwork", t.hostPID && "hostPID", t.hostIPC && "hostIPC"].filter(
      (x): x is string => typeof x === "string",
    );
    return ns.length
      ? { message: `shares host namespaces: ${ns.join(", ")}`, evidence: { namespaces: ns.join(",") } }
      : undefined;
  },
});

/** Capabilities the baseline profile lets a container add (the container runtime's defaults). */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

export const pssBaselineCapabilities = pssRule({
  id: "pss-baseline-capabilities",
  title: "Container adds capabilities beyond the baseline set",
  severity: "high",
  level: "baseline",
  control: "Capabilities",
  rationale:
    "Capabilities such as SYS_ADMIN, NET_ADMIN or SYS_PTRACE give a container kernel powers that are one step from escaping to the node.",
  fix: "Remove the added capability, or replace it with the narrowest one from the baseline set; drop ALL and add back only what is needed.",
  securityOnly: true,
  check(t) {
    const bad = perContainer(t, (c) => {
      if (c.security.capabilitiesAdd.length === 0) return undefined;
      const extra = c.security.capabilitiesAdd.filter((cap) => !BASELINE_CAPABILITIES.has(cap));
      return extra.length ? extra.join(" ") : undefined;
    });
    return bad
      ? {
          message: `adds capabilities ${bad.parts.join("; ")}`,
          evidence: { containers: bad.names.join(","), capabilities: bad.parts.join("; ") },
        }
      : undefined;
  },
});

export const pssHostPorts = pssRule({
  id: "pss-host-ports",
  title: "Container uses a hostPort",
  severity: "medium",
  level: "baseline",
  control: "Host Ports",
  rationale:
    "A hostPort binds the node's interface: it bypasses NetworkPolicy on most CNIs, limits scheduling to one pod per node and port, and exposes the pod on the node's address.",
  fix: "Remove hostPort and expose the port through a Service (ClusterIP, NodePort or LoadBalancer).",
  check(t) {
    const bad = perContainer(t, (c) => (c.hostPorts.length ? c.hostPorts.join(" ") : undefined));
    return bad
      ? {
          message: `hostPort ${bad.parts.join("; ")}`,
          evidence: { containers: bad.names.join(","), ports: bad.parts.join("; ") },
        }
      : undefined;
  },
});

function appArmorOk(type: string | undefined): boolean {
  return type === undefined || type === "RuntimeDefault" || type === "Localhost";
}

function appArmorAnnotationOk(value: string): boolean {
  return value === "runtime/default" || value.startsWith("localhost/");
}

export const pssAppArmor = pssRule({
  id: "pss-apparmor-unconfined",
  title: "AppArmor profile disabled (Unconfined)",
  severity: "medium",
  level: "baseline",
  control: "AppArmor",
  rationale:
    "An unconfined container runs without the runtime's default AppArmor profile, which blocks writes to /proc and /sys and mounts that lead to the host.",
  fix: "Remove the unconfined profile: use appArmorProfile type RuntimeDefault (or a Localhost profile) instead of Unconfined or the unconfined annotation.",
  securityOnly: true,
  check(t) {
    const where: string[] = [];
    if (!appArmorOk(t.podSecurity.appArmorProfile)) where.push(`pod: ${t.podSecurity.appArmorProfile}`);
    for (const c of allContainers(t)) {
      if (!appArmorOk(c.security.appArmorProfile)) where.push(`${c.name}: ${c.security.appArmorProfile}`);
    }
    for (const [container, value] of Object.entries(t.appArmorAnnotations)) {
      if (!appArmorAnnotationOk(value)) where.push(`${container}: annotation ${value}`);
    }
    return where.length
      ? { message: `AppArmor disabled for ${where.join("; ")}`, evidence: { profiles: where.join("; ") } }
      : undefined;
  },
});

/** SELinux types the baseline profile allows (besides none). */
export const BASELINE_SELINUX_TYPES: ReadonlySet<string> = new Set([
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);

function seLinuxViolation(s: PodTemplate["podSecurity"]): string | undefined {
  const parts: string[] = [];
  if (s.seLinuxType && !BASELINE_SELINUX_TYPES.has(s.seLinuxType)) parts.push(`type ${s.seLinuxType}`);
  if (s.seLinuxUser) parts.push(`user ${s.seLinuxUser}`);
  if (s.seLinuxRole) parts.push(`role ${s.seLinuxRole}`);
  return parts.length ? parts.join(" ") : undefined;
}

export const pssSeLinux = pssRule({
  id: "pss-selinux-custom",
  title: "Custom SELinux user, role or type",
  severity: "medium",
  level: "baseline",
  control: "SELinux",
  rationale:
    "A custom SELinux type (spc_t, unconfined_t), user or role lifts the container out of the confinement SELinux gives container processes.",
  fix: "Remove seLinuxOptions user, role and type (the level may stay); if a type is needed use container_t or container_init_t.",
  securityOnly: true,
  check(t) {
    const where: string[] = [];
    const pod = seLinuxViolation(t.podSecurity);
    if (pod) where.push(`pod: ${pod}`);
    const bad = perContainer(t, (c) => seLinuxViolation(c.security));
    if (bad) where.push(...bad.parts);
    return where.length
      ? { message: `seLinuxOptions ${where.join("; ")}`, evidence: { options: where.join("; ") } }
      : undefined;
  },
});

export const pssProcMount = pssRule({
  id: "pss-proc-mount-unmasked",
  title: "Container mounts /proc unmasked",
  severity: "high",
  level: "baseline",
  control: "/proc Mount Type",
  rationale:
    "procMount: Unmasked exposes the host paths the runtime masks in /proc (kcore, sysrq-trigger, timer_list): information leaks and a path to the kernel.",
  fix: "Remove procMount or set it to Default.",
  securityOnly: true,
  check(t) {
    const bad = perContainer(t, (c) =>
      c.security.procMount !== undefined && c.security.procMount !== "Default"
        ? c.security.procMount
        : undefined,
    );
    return bad
      ? { message: `procMount ${bad.parts.join("; ")}`, evidence: { containers: bad.names.join(",") } }
      : undefined;
  },
});

export const pssSeccompUnconfined = pssRule({
  id: "pss-seccomp-unconfined",
  title: "Seccomp explicitly disabled (Unconfined)",
  severity: "medium",
  level: "baseline",
  control: "Seccomp",
  rationale:
    "An Unconfined seccomp profile lets the container make every system call, including the rarely used ones that most kernel exploits go through.",
  fix: "Set seccompProfile type RuntimeDefault (or a Localhost profile) on the pod, and remove Unconfined from containers.",
  securityOnly: true,
  check(t) {
    const where: string[] = [];
    if (t.podSecurity.seccompProfile === "Unconfined") where.push("pod");
    const bad = perContainer(t, (c) => (c.security.seccompProfile === "Unconfined" ? "" : undefined));
    if (bad) where.push(...bad.names);
    return where.length
      ? { message: `seccomp Unconfined on ${where.join(", ")}`, evidence: { where: where.join(",") } }
      : undefined;
  },
});

/** Namespaced sysctls the baseline profile allows (the kubelet's safe set). */
export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

export const pssSysctls = pssRule({
  id: "pss-unsafe-sysctls",
  title: "Pod sets sysctls outside the safe set",
  severity: "medium",
  level: "baseline",
  control: "Sysctls",
  rationale:
    "Unsafe sysctls are not isolated per pod: they change kernel behaviour for every pod on the node, or can exhaust its resources.",
  fix: "Remove the sysctl, or set it on the node (node image or a vetted node-tuning DaemonSet) and schedule the pod there.",
  securityOnly: true,
  check(t) {
    const bad = t.podSecurity.sysctls.filter((s) => !SAFE_SYSCTLS.has(s));
    return bad.length
      ? { message: `unsafe sysctls ${bad.join(", ")}`, evidence: { sysctls: bad.join(",") } }
      : undefined;
  },
});

// ---- restricted --------------------------------------------------------------------------

/** Volume types the restricted profile allows. */
export const RESTRICTED_VOLUME_TYPES: ReadonlySet<string> = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

export const pssVolumeTypes = pssRule({
  id: "pss-restricted-volume-types",
  title: "Pod uses a volume type the restricted profile forbids",
  severity: "low",
  level: "restricted",
  control: "Volume Types",
  rationale:
    "Volume types other than ConfigMap, Secret, projected, emptyDir, PVC, CSI and ephemeral reach node paths or storage backends directly, bypassing the PersistentVolume abstraction and its access controls.",
  fix: "Use a PersistentVolumeClaim (the PV can still be NFS, iSCSI and so on) or a ConfigMap/Secret/emptyDir instead of the inline volume source.",
  check(t) {
    const bad = t.volumes.types.filter((v) => !RESTRICTED_VOLUME_TYPES.has(v));
    return bad.length
      ? { message: `volume types ${bad.join(", ")}`, evidence: { types: bad.join(",") } }
      : undefined;
  },
});

export const pssPrivilegeEscalation = pssRule({
  id: "pss-privilege-escalation",
  title: "Privilege escalation not disabled",
  severity: "medium",
  level: "restricted",
  control: "Privilege Escalation",
  rationale:
    "Unless allowPrivilegeEscalation is false, a setuid binary or file capability in the image can give the process more privileges than it started with.",
  fix: "Set securityContext.allowPrivilegeEscalation: false on every container.",
  securityOnly: true,
  check(t) {
    const bad = perContainer(t, (c) =>
      c.security.allowPrivilegeEscalation !== false
        ? c.security.allowPrivilegeEscalation === true
          ? "true"
          : "unset"
        : undefined,
    );
    return bad
      ? {
          message: `allowPrivilegeEscalation not false: ${bad.parts.join("; ")}`,
          evidence: { containers: bad.names.join(",") },
        }
      : undefined;
  },
});

function seccompConfined(profile: string | undefined): boolean {
  return profile === "RuntimeDefault" || profile === "Localhost";
}

export const pssSeccompRestricted = pssRule({
  id: "pss-seccomp-required",
  title: "Seccomp profile not RuntimeDefault or Localhost",
  severity: "low",
  level: "restricted",
  control: "Seccomp",
  rationale:
    "Without a seccomp profile most runtimes run the container unconfined: every system call is open to an attacker inside it.",
  fix: "Set spec.securityContext.seccompProfile.type: RuntimeDefault on the pod (containers inherit it).",
  securityOnly: true,
  check(t) {
    const bad = perContainer(t, (c) => {
      const profile = c.security.seccompProfile ?? t.podSecurity.seccompProfile;
      return seccompConfined(profile) ? undefined : (profile ?? "unset");
    });
    return bad
      ? { message: `seccomp profile ${bad.parts.join("; ")}`, evidence: { containers: bad.names.join(",") } }
      : undefined;
  },
});

const CAPABILITY_PROBLEMS = new WeakMap<SecurityContext, { text: string | undefined }>();

/**
 * "ALL not dropped, adds X" for a security context, or undefined when it complies. Memoized per
 * context object: projections share one frozen context among containers that spell it alike.
 */
function restrictedCapabilityProblems(sec: SecurityContext): string | undefined {
  let hit = CAPABILITY_PROBLEMS.get(sec);
  if (!hit) {
    const parts: string[] = [];
    if (!sec.capabilitiesDrop.includes("ALL")) parts.push("ALL not dropped");
    const extra = sec.capabilitiesAdd.filter((cap) => cap !== "NET_BIND_SERVICE");
    if (extra.length) parts.push(`adds ${extra.join(" ")}`);
    hit = { text: parts.length ? parts.join(", ") : undefined };
    CAPABILITY_PROBLEMS.set(sec, hit);
  }
  return hit.text;
}

export const pssRestrictedCapabilities = pssRule({
  id: "pss-restricted-capabilities",
  title: "Container does not drop ALL capabilities",
  severity: "medium",
  level: "restricted",
  control: "Capabilities",
  rationale:
    "The runtime's default capabilities (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW, ...) are more than most processes need and help every escalation path.",
  fix: "Set capabilities.drop: [ALL] on every container and add back only NET_BIND_SERVICE if it binds a low port.",
  securityOnly: true,
  check(t) {
    const bad = perContainer(t, (c) => restrictedCapabilityProblems(c.security));
    return bad
      ? {
          message: bad.parts.join("; "),
          evidence: { containers: bad.names.join(","), problems: bad.parts.join("; ") },
        }
      : undefined;
  },
});

export const PSS_RULES: readonly Rule[] = [
  pssHostProcess,
  pssHostNamespaces,
  pssBaselineCapabilities,
  pssHostPorts,
  pssAppArmor,
  pssSeLinux,
  pssProcMount,
  pssSeccompUnconfined,
  pssSysctls,
  pssVolumeTypes,
  pssPrivilegeEscalation,
  pssSeccompRestricted,
  pssRestrictedCapabilities,
];

/**
 * Every Pod Security Standards control: its name in the standard -> level -> the rule that
 * judges it. Baseline controls are also part of restricted (restricted = baseline + these).
 * "Running as Non-root" and "Running as Non-root user" are both judged by one rule.
 */
export const PSS_CONTROLS: Readonly<Record<string, Readonly<Partial<Record<PssLevel, string>>>>> =
  Object.freeze({
    HostProcess: { baseline: pssHostProcess.id },
    "Host Namespaces": { baseline: pssHostNamespaces.id },
    "Privileged Containers": { baseline: privileged.id },
    Capabilities: { baseline: pssBaselineCapabilities.id, restricted: pssRestrictedCapabilities.id },
    "HostPath Volumes": { baseline: hostPath.id },
    "Host Ports": { baseline: pssHostPorts.id },
    AppArmor: { baseline: pssAppArmor.id },
    SELinux: { baseline: pssSeLinux.id },
    "/proc Mount Type": { baseline: pssProcMount.id },
    Seccomp: { baseline: pssSeccompUnconfined.id, restricted: pssSeccompRestricted.id },
    Sysctls: { baseline: pssSysctls.id },
    "Volume Types": { restricted: pssVolumeTypes.id },
    "Privilege Escalation": { restricted: pssPrivilegeEscalation.id },
    "Running as Non-root": { restricted: runAsRoot.id },
    "Running as Non-root user": { restricted: runAsRoot.id },
  });
