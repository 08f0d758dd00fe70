/**
 * Runs the KPI queries against Prometheus: each as an instant query at the window's end with
 * `$window` filled in. A failed query is that KPI's "no data" reason; it never fails the others.
 */
import type { PromClient } from "../prom/client.js";
import type { KpiQueries } from "./compute/prometheus.js";
import { fillWindow, promValueOf } from "./compute/prometheus.js";
import type { PromValue } from "./compute/prometheus.js";
import type { PromAnswers } from "./engine.js";

export async function queryKpis(
  prom: PromClient,
  queries: KpiQueries,
  window: string,
  at: Date,
): Promise<PromAnswers> {
  const one = async (template: string): Promise<PromValue> => {
    const query = fillWindow(template, window);
    const r = await prom.query(query, at);
    return r.ok ? promValueOf(r.data, query) : { kind: "error", message: r.error.message, query };
  };
  const [errorRatio, p95Latency, apiResponseTime, requests] = await Promise.all([
    one(queries.errorRatio),
    one(queries.p95Latency),
    one(queries.apiResponseTime),
    one(queries.requests),
  ]);
  return { errorRatio, p95Latency, apiResponseTime, requests };
}
