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

/** What the collection gauges read at scrape time (a slice of ports.ts CollectionReads). */
export interface CollectionMetricsSource {
  latestRun(okOnly: boolean): Promise<
    | {
        at: number;
        durationMs: number;
        score: number | null;
        coverage: number | null;
        counts: Record<string, number>;
      }
    | undefined
  >;
  latestKpis(): Promise<{ at: number; items: unknown[] } | undefined>;
}

const KPI_STATUSES = ["met", "at-risk", "missed", "no-data"] as const;

interface Latest {
  ok: Awaited<ReturnType<CollectionMetricsSource["latestRun"]>>;
  kpis: { id: string; value: number | null; status: string }[];
}

type Sample = { labels?: Record<string, string>; value: number };

/**
 * A gauge whose samples are computed at scrape time. prom-client's own Gauge always shows a
 * label-less gauge (as 0), so `get` is replaced: no data means no sample.
 */
function scrapeGauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  samples: () => Promise<Sample[]>,
): void {
  const g = new Gauge({ name, help, labelNames, registers: [registry] });
  const get = async () =>
    ({
      name,
      help,
      type: "gauge",
      aggregator: "sum",
      values: (await samples()).map((s) => ({ value: s.value, labels: s.labels ?? {} })),
    }) as unknown as Awaited<ReturnType<Gauge["get"]>>;
  // The registry renders through getForPromString when a metric has it (prom-client 15).
  Object.assign(g, { get, getForPromString: get });
}

/**
 * The continuous collection's figures, read from the latest stored run at every scrape, so
 * every replica exports the same values. No data (before the first run, a KPI without a
 * value) means no sample rather than a made-up 0.
 */
export function registerCollectionMetrics(registry: Registry, source: CollectionMetricsSource): void {
  if (registry.getSingleMetric("day2_scan_score")) return;
  // One read per scrape for all seven gauges: the registry asks every metric at once, so the
  // gauges share the read in flight; once it settles the next scrape reads again, so a scrape
  // after a collection never sees the previous run's figures.
  let shared: Promise<Latest> | undefined;
  const read = async (): Promise<Latest> => {
    const [ok, kpis] = await Promise.all([source.latestRun(true), source.latestKpis()]);
    return { ok, kpis: (kpis?.items ?? []) as Latest["kpis"] };
  };
  const once = (): Promise<Latest> => {
    if (!shared) {
      const entry = read();
      shared = entry;
      const drop = () => {
        if (shared === entry) shared = undefined;
      };
      entry.then(drop, drop);
    }
    return shared;
  };
  const one = (v: number | null | undefined): Sample[] =>
    typeof v === "number" && Number.isFinite(v) ? [{ value: v }] : [];
  scrapeGauge(
    registry,
    "day2_scan_score",
    "Cluster score of the latest successful collection, 0-100",
    [],
    async () => one((await once()).ok?.score),
  );
  scrapeGauge(
    registry,
    "day2_scan_coverage",
    "Share of the applicable rules the latest successful collection evaluated, 0-1",
    [],
    async () => one((await once()).ok?.coverage),
  );
  scrapeGauge(
    registry,
    "day2_findings",
    "Findings of the latest successful collection, by severity",
    ["severity"],
    async () =>
      Object.entries((await once()).ok?.counts ?? {}).map(([severity, value]) => ({
        labels: { severity },
        value,
      })),
  );
  scrapeGauge(
    registry,
    "day2_kpi_value",
    "Value of each KPI in its unit (see day2 kpi); absent when the KPI has no data",
    ["kpi"],
    async () =>
      (await once()).kpis.flatMap((k) => one(k.value).map((s) => ({ ...s, labels: { kpi: k.id } }))),
  );
  scrapeGauge(
    registry,
    "day2_kpi_status",
    "Status of each KPI: 1 for the current status (met, at-risk, missed, no-data), else 0",
    ["kpi", "status"],
    async () =>
      (await once()).kpis.flatMap((k) =>
        KPI_STATUSES.map((status) => ({ labels: { kpi: k.id, status }, value: k.status === status ? 1 : 0 })),
      ),
  );
  scrapeGauge(
    registry,
    "day2_collection_last_success_timestamp_seconds",
    "When the latest successful collection started, Unix seconds",
    [],
    async () => {
      const ok = (await once()).ok;
      return ok ? [{ value: ok.at / 1000 }] : [];
    },
  );
  scrapeGauge(
    registry,
    "day2_collection_duration_seconds",
    "How long the latest successful collection took",
    [],
    async () => {
      const ok = (await once()).ok;
      return ok ? [{ value: ok.durationMs / 1000 }] : [];
    },
  );
}
