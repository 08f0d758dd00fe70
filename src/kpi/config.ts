/**
 * day2.yaml's `kpis:` section, read beside the rest of the file:
 *
 *   kpis:
 *     mttr: { target: "< 30" }              # any KPI id; see catalog.ts for the target syntax
 *     resource-utilization: { target: "50-75" }
 *     queries:                              # PromQL templates; $window is the KPI window
 *       errorRatio: sum(rate(http_requests_total{code=~"5.."}[$window])) / sum(rate(http_requests_total[$window]))
 *       p95Latency: ...
 *       apiResponseTime: ...
 *       requests: ...
 *
 * The rest of the file (cost.pricing, ...) goes through the shared validator.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Day2Config } from "../config/config.js";
import { DEFAULT_CONFIG_FILE, validateConfig } from "../config/config.js";
import { parseYamlText, readTextFile } from "../config/yaml.js";
import { InputError } from "../snapshot/errors.js";
import { resolveCatalog } from "./catalog.js";
import type { KpiQueries } from "./compute/prometheus.js";
import { DEFAULT_QUERIES } from "./compute/prometheus.js";
import type { KpiDefinition } from "./types.js";

export interface KpiConfig {
  /** The rest of day2.yaml (pricing for the cost KPIs); undefined without a file. */
  config?: Day2Config;
  catalog: KpiDefinition[];
  queries: KpiQueries;
}

const QUERY_KEYS = Object.keys(DEFAULT_QUERIES) as (keyof KpiQueries)[];

export function parseQueries(doc: unknown): KpiQueries {
  if (doc === undefined || doc === null) return { ...DEFAULT_QUERIES };
  if (typeof doc !== "object" || Array.isArray(doc)) throw new Error("kpis.queries: expected a mapping");
  const out: KpiQueries = { ...DEFAULT_QUERIES };
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (!(QUERY_KEYS as string[]).includes(k))
      throw new Error(`kpis.queries.${k}: unknown query (one of ${QUERY_KEYS.join(", ")})`);
    if (typeof v !== "string" || v.trim() === "")
      throw new Error(`kpis.queries.${k}: expected a PromQL string`);
    out[k as keyof KpiQueries] = v;
  }
  return out;
}

/** KPI settings from a parsed day2.yaml document. Throws an InputError naming the file and field. */
export function kpiConfigFromDoc(doc: unknown, file: string): KpiConfig {
  const { kpis, ...rest } = (doc && typeof doc === "object" && !Array.isArray(doc) ? doc : {}) as Record<
    string,
    unknown
  >;
  const config = validateConfig(rest, file);
  try {
    const queries = parseQueries((kpis as { queries?: unknown } | undefined)?.queries);
    return { config, catalog: resolveCatalog(kpis), queries };
  } catch (e) {
    throw new InputError(file, undefined, (e as Error).message, { cause: e });
  }
}

/** The file named by --config (which must exist), else ./day2.yaml when present, else defaults. */
export function loadKpiConfig(path: string | undefined, cwd = process.cwd()): KpiConfig {
  const full = path ?? join(cwd, DEFAULT_CONFIG_FILE);
  if (path === undefined && !existsSync(full))
    return { catalog: resolveCatalog(undefined), queries: { ...DEFAULT_QUERIES } };
  const file = path ?? DEFAULT_CONFIG_FILE;
  return kpiConfigFromDoc(parseYamlText(readTextFile(full, file), file), file);
}
