/**
 * The server's Prometheus metrics, on a registry of its own (so several servers in one
 * process, as in tests, never collide in prom-client's global registry).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface ServerMetrics {
  registry: Registry;
  requests: Counter<"method" | "route" | "status">;
  duration: Histogram<"method" | "route">;
  queueDepth: Gauge;
  alertsAccepted: Counter<"source">;
  alertsRejected: Counter<"source" | "reason">;
  batchSize: Histogram;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: "day2_http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status code",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "day2_http_request_duration_seconds",
      help: "Time from request to answer, by method and route pattern",
      labelNames: ["method", "route"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "day2_intake_queue_depth",
      help: "Webhook deliveries accepted by the intake and not yet committed",
      registers: [registry],
    }),
    alertsAccepted: new Counter({
      name: "day2_alerts_accepted_total",
      help: "Alerts committed to the store, by source",
      labelNames: ["source"],
      registers: [registry],
    }),
    alertsRejected: new Counter({
      name: "day2_alerts_rejected_total",
      help: "Alerts refused (invalid, queue full, store error), by source and reason",
      labelNames: ["source", "reason"],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: "day2_intake_batch_deliveries",
      help: "Webhook deliveries committed together in one transaction",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
  };
}
