/**
 * The price sheet: what a vCPU, a GiB of memory, a GPU, a GB-month of storage, a load
 * balancer and a GB of traffic cost, per region, and what each instance type costs on demand
 * and as spot. Built from OpenCost's custom-pricing defaults, then the shipped list
 * (./prices/public-list.ts, approximate), then `cost.pricing` in day2.yaml; later layers win
 * field by field. priceNode() prices one node per hour and says which rule priced it.
 */
import { z } from "zod";
import { describeValue, required } from "../config/messages.js";
import type { Node } from "../state/types.js";
import type { NodeLike, NodeTopology } from "./node-topology.js";
import { nodeTopology } from "./node-topology.js";
import { SHIPPED_PRICES } from "./prices/public-list.js";

/** Hours in a billing month, as OpenCost and the cloud providers count them. */
export const HOURS_PER_MONTH = 730;
const GiB = 2 ** 30;

/** Complete per-resource rates in USD: what a region falls back to when it names no instance price. */
export interface Rates {
  readonly cpuHour: number;
  readonly memoryGiBHour: number;
  readonly gpuHour: number;
  readonly spotCpuHour: number;
  readonly spotMemoryGiBHour: number;
  readonly spotGpuHour: number;
  /** Storage of a StorageClass the sheet does not name. */
  readonly storageGBMonth: number;
  /** StorageClass name -> USD per GB-month. */
  readonly storageClasses: Readonly<Record<string, number>>;
  readonly loadBalancerHour: number;
  /** Traffic between zones of one region, and to the internet, USD per GB. */
  readonly crossZoneGB: number;
  readonly egressGB: number;
}

/**
 * OpenCost's custom-pricing defaults (opencost/opencost configs/default.json, "based on GCP
 * us-central1"): CPU, spotCPU, RAM, spotRAM, GPU, storage (0.00005479452/GB-hour = 0.04/GB-month),
 * zoneNetworkEgress and internetNetworkEgress. default.json has no spot GPU price: 0.308 is
 * OpenCost's built-in fallback config's spotGPU. The load balancer price is OpenCost's
 * defaultLBPrice (0.025/hour, one GCP forwarding rule).
 */
export const OPENCOST_DEFAULTS: Rates = Object.freeze({
  cpuHour: 0.031611,
  memoryGiBHour: 0.004237,
  gpuHour: 0.95,
  spotCpuHour: 0.006655,
  spotMemoryGiBHour: 0.000892,
  spotGpuHour: 0.308,
  storageGBMonth: 0.04,
  storageClasses: Object.freeze({}),
  loadBalancerHour: 0.025,
  crossZoneGB: 0.01,
  egressGB: 0.12,
});

export const OPENCOST_SOURCE: PriceSource = {
  name: "OpenCost custom-pricing defaults",
  approximate: true,
};

// ---- the schema (day2.yaml `cost.pricing`, and the shipped list) ----

const price = z.number({ error: required("a price in USD (a number >= 0)") }).nonnegative({
  error: (iss) => `expected a price in USD (a number >= 0), got ${describeValue(iss.input)}`,
});

const amount = (what: string) =>
  z
    .number({ error: required(what) })
    .nonnegative({ error: (iss) => `expected ${what}, got ${describeValue(iss.input)}` });

const rateFields = {
  cpuHour: price.optional(),
  memoryGiBHour: price.optional(),
  gpuHour: price.optional(),
  spotCpuHour: price.optional(),
  spotMemoryGiBHour: price.optional(),
  spotGpuHour: price.optional(),
  storageGBMonth: price.optional(),
  storageClasses: z
    .record(z.string(), price, { error: required("a mapping of StorageClass name to USD per GB-month") })
    .optional(),
  loadBalancerHour: price.optional(),
  crossZoneGB: price.optional(),
  egressGB: price.optional(),
};

const instanceSchema = z.strictObject(
  {
    vcpu: amount("a vCPU count (a number >= 0)").optional(),
    memoryGiB: amount("memory in GiB (a number >= 0)").optional(),
    gpu: amount("a GPU count (a number >= 0)").optional(),
    onDemandHour: price.optional(),
    spotHour: price.optional(),
  },
  { error: required("a mapping with onDemandHour, spotHour, vcpu, memoryGiB, gpu") },
);

const regionSchema = z.strictObject(
  {
    provider: z.string({ error: required("a provider name (aws, gcp, azure)") }).optional(),
    ...rateFields,
    instanceTypes: z
      .record(z.string(), instanceSchema, { error: required("a mapping of instance type to prices") })
      .optional(),
  },
  { error: required("a mapping of rates and instanceTypes") },
);

const sourceSchema = z.strictObject(
  {
    name: z.string({ error: required("a source name") }),
    approximate: z.boolean({ error: required("true or false") }).optional(),
    asOf: z.string({ error: required("a date (YYYY-MM-DD)") }).optional(),
  },
  { error: required("a mapping with name, approximate, asOf") },
);

/** `cost.pricing` in day2.yaml; also validates the shipped list. */
export const priceSheetSchema = z.strictObject(
  {
    source: sourceSchema.optional(),
    /** false: ignore the shipped list (only OpenCost defaults and this sheet). */
    shippedPrices: z.boolean({ error: required("true or false") }).optional(),
    defaults: z.strictObject(rateFields, { error: required("a mapping of rates") }).optional(),
    regions: z
      .record(z.string(), regionSchema, { error: required("a mapping of region to prices") })
      .optional(),
  },
  { error: required("a mapping (defaults:, regions:)") },
);

export type PriceSheetInput = z.infer<typeof priceSheetSchema>;
export type RegionPricesInput = z.infer<typeof regionSchema>;
export type InstancePrice = z.infer<typeof instanceSchema>;
export type PriceSource = z.infer<typeof sourceSchema>;

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

/** Validates a price sheet; throws one Error whose lines name each bad field (`where.path: problem`). */
export function parsePriceSheet(doc: unknown, where = "cost.pricing"): PriceSheetInput {
  const parsed = priceSheetSchema.safeParse(doc ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const at = pathText([where, ...i.path]);
    const msg =
      i.code === "unrecognized_keys"
        ? `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => JSON.stringify(k)).join(", ")}`
        : i.message;
    return `${at}: ${msg}`;
  });
  throw new Error(lines.join("\n"));
}

// ---- the merged sheet ----

export interface PriceSheet {
  /** Every layer that went in, lowest precedence first. */
  readonly sources: readonly PriceSource[];
  readonly defaults: Rates;
  readonly regions: Readonly<Record<string, RegionPricesInput>>;
  /** `${region}/${instanceType}` -> the name of the source that last set its price. */
  readonly instanceOrigin: ReadonlyMap<string, string>;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function mergeRegion(
  base: RegionPricesInput | undefined,
  over: RegionPricesInput,
  onInstance: (type: string) => void,
): RegionPricesInput {
  const instanceTypes: Record<string, InstancePrice> = { ...base?.instanceTypes };
  for (const [type, p] of Object.entries(over.instanceTypes ?? {})) {
    instanceTypes[type] = { ...instanceTypes[type], ...defined(p) };
    onInstance(type);
  }
  return {
    ...base,
    ...defined(over),
    storageClasses: { ...base?.storageClasses, ...over.storageClasses },
    instanceTypes,
  };
}

/**
 * The sheet to price with: OpenCost defaults, the shipped list (unless `shippedPrices: false`),
 * then the config's sheet; the config wins field by field.
 */
export function buildPriceSheet(config?: PriceSheetInput): PriceSheet {
  const layers: { input: PriceSheetInput; source: PriceSource }[] = [];
  if (config?.shippedPrices !== false)
    layers.push({ input: SHIPPED_PRICES, source: SHIPPED_PRICES.source ?? { name: "shipped list" } });
  if (config) layers.push({ input: config, source: config.source ?? { name: "day2.yaml cost.pricing" } });
  let defaults: Rates = OPENCOST_DEFAULTS;
  const regions: Record<string, RegionPricesInput> = {};
  const origin = new Map<string, string>();
  for (const { input, source } of layers) {
    if (input.defaults) {
      const d = defined(input.defaults);
      defaults = { ...defaults, ...d, storageClasses: { ...defaults.storageClasses, ...d.storageClasses } };
    }
    for (const [region, r] of Object.entries(input.regions ?? {})) {
      regions[region] = mergeRegion(regions[region], r, (t) => origin.set(`${region}/${t}`, source.name));
    }
  }
  return {
    sources: [OPENCOST_SOURCE, ...layers.map((l) => l.source)],
    defaults,
    regions,
    instanceOrigin: origin,
  };
}

/** The complete rates of a region (the sheet's defaults where the region names none). */
export function ratesFor(sheet: PriceSheet, region: string | undefined): Rates {
  const r = region ? sheet.regions[region] : undefined;
  if (!r) return sheet.defaults;
  const { instanceTypes: _i, provider: _p, ...rates } = r;
  return {
    ...sheet.defaults,
    ...defined(rates),
    storageClasses: { ...sheet.defaults.storageClasses, ...r.storageClasses },
  };
}

/** USD per GB-month of a StorageClass in a region; the region's default for classes it does not name. */
export function storageGBMonth(
  sheet: PriceSheet,
  region: string | undefined,
  storageClass: string | undefined,
): number {
  const rates = ratesFor(sheet, region);
  return (
    (storageClass !== undefined ? rates.storageClasses[storageClass] : undefined) ?? rates.storageGBMonth
  );
}

// ---- pricing a node ----

export type NodePriceRule = "instance-type" | "instance-type-other-region" | "resource-rates";

export interface NodePrice {
  readonly node: string;
  readonly topology: NodeTopology;
  /** USD per hour for the whole node. */
  readonly hourly: number;
  /** The capacity the price is spread over. */
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly gpu: number;
  /** USD per unit-hour on this node: vcpu*cpuHour + memoryGiB*memoryGiBHour + gpu*gpuHour = hourly. */
  readonly cpuHour: number;
  readonly memoryGiBHour: number;
  readonly gpuHour: number;
  readonly rule: NodePriceRule;
  /** One line a person can check: which price, from where, and why. */
  readonly provenance: string;
}

export type PricedNode = NodeLike & Pick<Node, "capacity">;

interface Found {
  readonly price: InstancePrice;
  readonly region: string;
}

/** An instance type's price in a region, else in any region of the sheet (first in sheet order). */
function findInstance(sheet: PriceSheet, type: string, region: string | undefined): Found | undefined {
  const usable = (p: InstancePrice | undefined): p is InstancePrice =>
    p !== undefined && (p.onDemandHour !== undefined || p.spotHour !== undefined);
  if (region) {
    const p = sheet.regions[region]?.instanceTypes?.[type];
    if (usable(p)) return { price: p, region };
  }
  for (const [r, prices] of Object.entries(sheet.regions)) {
    const p = prices.instanceTypes?.[type];
    if (usable(p)) return { price: p, region: r };
  }
  return undefined;
}

const usd = (n: number): string => `$${Number(n.toPrecision(6))}`;

/** The node's hourly price from its instance type, or undefined when the type's price is unknown. */
function instanceHourly(
  found: Found,
  spot: boolean,
  rates: Rates,
): { hourly: number; how: string } | undefined {
  const p = found.price;
  if (spot && p.spotHour !== undefined) return { hourly: p.spotHour, how: `spot ${usd(p.spotHour)}/h` };
  if (!spot && p.onDemandHour !== undefined)
    return { hourly: p.onDemandHour, how: `on-demand ${usd(p.onDemandHour)}/h` };
  if (spot && p.onDemandHour !== undefined) {
    // No spot price listed: apply the sheet's own spot discount (spot vs on-demand CPU rate).
    const factor = rates.cpuHour > 0 ? rates.spotCpuHour / rates.cpuHour : 1;
    return {
      hourly: p.onDemandHour * factor,
      how: `spot (no spot price listed: on-demand ${usd(p.onDemandHour)}/h x ${factor.toFixed(3)}, the sheet's spot discount)`,
    };
  }
  return undefined;
}

/**
 * A node's price per hour: its instance type's list price (spot or on-demand) when the sheet
 * has it, else its capacity times the region's per-resource rates. The hourly price is then
 * split over CPU, memory and GPU in the ratio of the per-resource rates (OpenCost's method),
 * so allocation can price a container's share.
 */
export function priceNode(node: PricedNode, sheet: PriceSheet): NodePrice {
  const topo = nodeTopology(node);
  const spot = topo.capacityType === "spot";
  const rates = ratesFor(sheet, topo.region);
  const found = topo.instanceType ? findInstance(sheet, topo.instanceType, topo.region) : undefined;
  const cap = capacityOf(node, found?.price);
  const unit = spot
    ? { cpu: rates.spotCpuHour, mem: rates.spotMemoryGiBHour, gpu: rates.spotGpuHour }
    : { cpu: rates.cpuHour, mem: rates.memoryGiBHour, gpu: rates.gpuHour };
  const byRates = cap.vcpu * unit.cpu + cap.memoryGiB * unit.mem + cap.gpu * unit.gpu;
  const listed = found ? instanceHourly(found, spot, rates) : undefined;
  const kind =
    topo.capacityTypeFrom === "assumed"
      ? `${topo.capacityType} assumed (no capacity-type label)`
      : `${topo.capacityType} per ${topo.capacityTypeFrom}`;
  let hourly: number;
  let rule: NodePriceRule;
  let provenance: string;
  if (found && listed) {
    hourly = listed.hourly;
    rule = found.region === topo.region ? "instance-type" : "instance-type-other-region";
    const origin = sheet.instanceOrigin.get(`${found.region}/${topo.instanceType}`) ?? "price sheet";
    const elsewhere =
      rule === "instance-type-other-region" ? ` (no price for region ${topo.region ?? "unknown"})` : "";
    provenance = `${topo.instanceType} ${listed.how} in ${found.region}${elsewhere} from ${origin}; ${kind}`;
  } else {
    hourly = byRates;
    rule = "resource-rates";
    const why = topo.instanceType
      ? `no price for instance type ${topo.instanceType}`
      : "no instance-type label";
    const where = topo.region && sheet.regions[topo.region] ? `region ${topo.region}` : "default";
    provenance = `${why}: ${capacityText(cap)} at ${usd(unit.cpu)}/vCPU-h, ${usd(unit.mem)}/GiB-h${cap.gpu ? `, ${usd(unit.gpu)}/GPU-h` : ""} (${where} rates); ${kind}`;
  }
  // Spread the node's price over its resources in the ratio of the per-resource rates.
  const k = byRates > 0 ? hourly / byRates : 0;
  return {
    node: node.name,
    topology: topo,
    hourly,
    ...cap,
    cpuHour: unit.cpu * k,
    memoryGiBHour: unit.mem * k,
    gpuHour: unit.gpu * k,
    rule,
    provenance,
  };
}

interface Capacity {
  vcpu: number;
  memoryGiB: number;
  gpu: number;
}

/** The node's own capacity; the instance type's where the node does not report it. */
function capacityOf(node: PricedNode, listed: InstancePrice | undefined): Capacity {
  return {
    vcpu: node.capacity.cpu !== undefined ? node.capacity.cpu / 1000 : (listed?.vcpu ?? 0),
    memoryGiB: node.capacity.memory !== undefined ? node.capacity.memory / GiB : (listed?.memoryGiB ?? 0),
    gpu: node.capacity.gpu ?? listed?.gpu ?? 0,
  };
}

function capacityText(c: Capacity): string {
  return `${Number(c.vcpu.toFixed(3))} vCPU, ${Number(c.memoryGiB.toFixed(2))} GiB${c.gpu ? `, ${c.gpu} GPU` : ""}`;
}
