/** Alert fixtures for the store tests. */
import type { AlertInput } from "../../src/store/index.js";

export const T0 = 1_750_000_000_000;

export function alert(fingerprint: string, over: Partial<AlertInput> = {}): AlertInput {
  return {
    fingerprint,
    status: "firing",
    labels: { alertname: `Alert${fingerprint}`, severity: "critical", service: "api", namespace: "prod" },
    annotations: { summary: `summary ${fingerprint}` },
    startsAt: T0,
    source: "alertmanager",
    groupKey: '{}:{alertname="api"}',
    ...over,
  };
}
