/** Services, EndpointSlices, Ingresses and NetworkPolicies. */
import type { KubeObject } from "../raw.js";
import type { EndpointSlice, Ingress, IngressBackend, NetworkPolicy, Service } from "../types.js";
import { fromLabelSelector, fromMapSelector } from "../selector.js";
import { assemble } from "./common.js";
import type { Interner, Raw } from "./common.js";
import { EMPTY, arr, intOrString, meta, num, obj, optNum, str, strings } from "./common.js";

export function projectService(o: KubeObject, intern: Interner): Service {
  const base = meta(o, "Service", intern);
  const spec = obj(o.spec);
  const lb = arr(obj(obj(o.status).loadBalancer).ingress);
  return assemble(base, {
    type: intern.str(str(spec.type) ?? "ClusterIP"),
    selector: fromMapSelector(spec.selector),
    ports: arr(spec.ports).map((p) => ({
      name: str(p.name),
      port: num(p.port),
      targetPort: intOrString(p.targetPort),
      protocol: intern.str(str(p.protocol) ?? "TCP"),
      nodePort: optNum(p.nodePort),
    })),
    clusterIP: str(spec.clusterIP),
    externalName: str(spec.externalName),
    loadBalancerIngress: lb.length ? lb.map((i) => str(i.ip) ?? str(i.hostname) ?? "") : EMPTY,
  });
}

export function projectEndpointSlice(o: KubeObject, intern: Interner): EndpointSlice {
  const base = meta(o, "EndpointSlice", intern);
  let ready = 0;
  let notReady = 0;
  const podNames: string[] = [];
  for (const ep of arr(o.endpoints)) {
    const cond = obj(ep.conditions);
    // The API treats a nil ready condition as ready.
    if (cond.ready === false) notReady++;
    else ready++;
    const ref = obj(ep.targetRef);
    if (ref.kind === "Pod" && typeof ref.name === "string") podNames.push(ref.name);
  }
  return assemble(base, {
    serviceName: base.labels["kubernetes.io/service-name"] ?? "",
    addressType: str(o.addressType) ?? "IPv4",
    ready,
    notReady,
    podNames: podNames.length ? podNames : EMPTY,
  });
}

function backendOf(b: Raw): { service: string; port?: string | number } | undefined {
  const svc = obj(b.service);
  if (typeof svc.name === "string") {
    const port = obj(svc.port);
    return { service: svc.name, port: intOrString(port.number) ?? intOrString(port.name) };
  }
  // extensions/v1beta1 and networking.k8s.io/v1beta1 spelling.
  if (typeof b.serviceName === "string") return { service: b.serviceName, port: intOrString(b.servicePort) };
  return undefined;
}

export function projectIngress(o: KubeObject, intern: Interner): Ingress {
  const base = meta(o, "Ingress", intern);
  const spec = obj(o.spec);
  const backends: IngressBackend[] = [];
  const def = backendOf(obj(spec.defaultBackend ?? spec.backend));
  if (def) backends.push(def);
  for (const rule of arr(spec.rules)) {
    const host = str(rule.host);
    for (const p of arr(obj(rule.http).paths)) {
      const b = backendOf(obj(p.backend));
      if (b) backends.push({ ...b, host, path: str(p.path) });
    }
  }
  return assemble(base, {
    ingressClassName: str(spec.ingressClassName) ?? base.annotations["kubernetes.io/ingress.class"],
    backends,
    tlsSecrets: arr(spec.tls).flatMap((t) => (typeof t.secretName === "string" ? [t.secretName] : [])),
  });
}

export function projectNetworkPolicy(o: KubeObject, intern: Interner): NetworkPolicy {
  const base = meta(o, "NetworkPolicy", intern);
  const spec = obj(o.spec);
  const policyTypes = strings(spec.policyTypes, intern);
  return assemble(base, {
    podSelector: fromLabelSelector(spec.podSelector ?? {}),
    // Without policyTypes the API defaults to Ingress, plus Egress when egress rules exist.
    policyTypes: policyTypes.length
      ? policyTypes
      : Array.isArray(spec.egress)
        ? ["Ingress", "Egress"]
        : ["Ingress"],
    ingressRules: arr(spec.ingress).length,
    egressRules: arr(spec.egress).length,
  });
}
