/** The price sheet: OpenCost defaults, the shipped list, config overrides, node prices with provenance, garbage. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { InputError } from "../snapshot/errors.js";
import { parseConfig } from "../config/config.js";
import type { PricedNode } from "./pricing.js";
import {
  OPENCOST_DEFAULTS,
  buildPriceSheet,
  parsePriceSheet,
  priceNode,
  priceSheetSchema,
  ratesFor,
  storageGBMonth,
} from "./pricing.js";
import { SHIPPED_PRICES } from "./prices/public-list.js";

const GiB = 2 ** 30;

function awsNode(type: string, capacityType: "spot" | "on-demand", region = "us-east-1"): PricedNode {
  return {
    name: `${type}-${capacityType}`,
    labels: {
      "node.kubernetes.io/instance-type": type,
      "topology.kubernetes.io/region": region,
      "karpenter.sh/capacity-type": capacityType,
    },
    capacity: { cpu: 8000, memory: 32 * GiB },
  };
}

const close = (a: number, b: number, what = ""): void =>
  assert.ok(Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b)), `${what} ${a} != ${b}`);

test("defaults are OpenCost's custom-pricing defaults", () => {
  assert.equal(OPENCOST_DEFAULTS.cpuHour, 0.031611);
  assert.equal(OPENCOST_DEFAULTS.memoryGiBHour, 0.004237);
  assert.equal(OPENCOST_DEFAULTS.gpuHour, 0.95);
  assert.equal(OPENCOST_DEFAULTS.storageGBMonth, 0.04);
  assert.equal(OPENCOST_DEFAULTS.spotCpuHour, 0.006655);
  assert.equal(OPENCOST_DEFAULTS.spotMemoryGiBHour, 0.000892);
  const sheet = buildPriceSheet({ shippedPrices: false });
  assert.deepEqual(sheet.regions, {});
  assert.deepEqual(ratesFor(sheet, "us-east-1"), OPENCOST_DEFAULTS);
});

test("the shipped list is valid, marked approximate with a date and a source, and covers three clouds", () => {
  assert.ok(priceSheetSchema.safeParse(SHIPPED_PRICES).success);
  assert.equal(SHIPPED_PRICES.source?.approximate, true);
  assert.match(SHIPPED_PRICES.source?.asOf ?? "", /^\d{4}-\d{2}-\d{2}$/);
  assert.match(SHIPPED_PRICES.source?.name ?? "", /public on-demand list prices/);
  const regions = SHIPPED_PRICES.regions ?? {};
  for (const [region, type] of [
    ["us-east-1", "m5.large"],
    ["us-west-2", "m7g.xlarge"],
    ["us-central1", "n2-standard-4"],
    ["europe-west1", "e2-standard-8"],
    ["eastus", "Standard_D4s_v5"],
    ["westeurope", "Standard_E8s_v5"],
  ] as const) {
    const p = regions[region]?.instanceTypes?.[type];
    assert.ok(p?.onDemandHour && p.spotHour && p.spotHour < p.onDemandHour, `${region}/${type}`);
  }
  const types = new Set(Object.values(regions).flatMap((r) => Object.keys(r.instanceTypes ?? {})));
  assert.ok(types.size >= 60, `${types.size} instance types`);
});

test("a node of a listed type: its on-demand or spot list price, with provenance, split over resources", () => {
  const sheet = buildPriceSheet();
  const od = priceNode(awsNode("m6i.2xlarge", "on-demand"), sheet);
  assert.equal(od.rule, "instance-type");
  assert.equal(od.hourly, 0.384);
  assert.match(
    od.provenance,
    /^m6i\.2xlarge on-demand \$0\.384\/h in us-east-1 from day2 shipped price list .*; on-demand per karpenter\.sh\/capacity-type$/,
  );
  close(od.vcpu * od.cpuHour + od.memoryGiB * od.memoryGiBHour + od.gpu * od.gpuHour, od.hourly, "split");
  // The split keeps OpenCost's CPU:memory rate ratio.
  close(od.cpuHour / od.memoryGiBHour, OPENCOST_DEFAULTS.cpuHour / OPENCOST_DEFAULTS.memoryGiBHour, "ratio");
  const spot = priceNode(awsNode("m6i.2xlarge", "spot"), sheet);
  assert.equal(spot.rule, "instance-type");
  assert.equal(spot.hourly, 0.1344);
  assert.match(spot.provenance, /spot \$0\.1344\/h/);
});

test("a listed type in a region the sheet lacks: priced from another region, and says so", () => {
  const p = priceNode(awsNode("m5.large", "on-demand", "ap-south-1"), buildPriceSheet());
  assert.equal(p.rule, "instance-type-other-region");
  assert.equal(p.hourly, 0.096);
  assert.match(p.provenance, /in us-east-1 \(no price for region ap-south-1\)/);
});

test("an unknown type, or no labels at all: capacity x per-resource rates (spot rates for spot)", () => {
  const sheet = buildPriceSheet();
  const unknown = priceNode(awsNode("x9.huge", "on-demand", "nowhere-1"), sheet);
  assert.equal(unknown.rule, "resource-rates");
  close(unknown.hourly, 8 * 0.031611 + 32 * 0.004237);
  assert.match(
    unknown.provenance,
    /^no price for instance type x9\.huge: 8 vCPU, 32 GiB at \$0\.031611\/vCPU-h/,
  );
  const spot = priceNode(awsNode("x9.huge", "spot", "nowhere-1"), sheet);
  close(spot.hourly, 8 * 0.006655 + 32 * 0.000892);
  const bare = priceNode(
    { name: "bare", labels: {}, capacity: { cpu: 2000, memory: 4 * GiB, gpu: 1 } },
    sheet,
  );
  close(bare.hourly, 2 * 0.031611 + 4 * 0.004237 + 0.95);
  close(bare.gpuHour, 0.95);
  assert.match(bare.provenance, /no instance-type label.*; on-demand assumed \(no capacity-type label\)$/);
});

test("config wins field by field; a spot node without a spot price gets the sheet's spot discount", () => {
  const config = parsePriceSheet({
    source: { name: "our EDP prices" },
    defaults: { cpuHour: 0.05 },
    regions: {
      "us-east-1": {
        storageClasses: { gp3: 0.07 },
        instanceTypes: { "m6i.2xlarge": { spotHour: 0.1 }, "custom.big": { onDemandHour: 2 } },
      },
    },
  });
  const sheet = buildPriceSheet(config);
  assert.deepEqual(
    sheet.sources.map((s) => s.name),
    [
      "OpenCost custom-pricing defaults",
      "day2 shipped price list (approximate public on-demand list prices of AWS, GCP and Azure)",
      "our EDP prices",
    ],
  );
  const spot = priceNode(awsNode("m6i.2xlarge", "spot"), sheet);
  assert.equal(spot.hourly, 0.1);
  assert.match(spot.provenance, /from our EDP prices/);
  assert.equal(priceNode(awsNode("m6i.2xlarge", "on-demand"), sheet).hourly, 0.384, "on-demand kept");
  const custom = priceNode(awsNode("custom.big", "spot"), sheet);
  close(custom.hourly, 2 * (0.006655 / 0.05));
  assert.match(custom.provenance, /no spot price listed/);
  assert.equal(ratesFor(sheet, "nowhere").cpuHour, 0.05);
  assert.equal(storageGBMonth(sheet, "us-east-1", "gp3"), 0.07);
  assert.equal(storageGBMonth(sheet, "us-east-1", "gp2"), 0.1, "shipped class kept");
  assert.equal(storageGBMonth(sheet, "us-east-1", "mystery"), 0.08, "region default");
  assert.equal(storageGBMonth(sheet, "nowhere", "gp3"), 0.04, "OpenCost default");
});

function pricingError(doc: unknown): string {
  try {
    parsePriceSheet(doc);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`accepted ${JSON.stringify(doc)}`);
}

test("garbage in the price sheet: errors name the field", () => {
  const cases: [unknown, RegExp][] = [
    [[1, 2], /^cost\.pricing: expected a mapping \(defaults:, regions:\), got a list$/],
    [
      { defaults: { cpuHour: "cheap" } },
      /^cost\.pricing\.defaults\.cpuHour: expected a price in USD \(a number >= 0\), got string "cheap"$/,
    ],
    [
      { defaults: { memoryGiBHour: -1 } },
      /^cost\.pricing\.defaults\.memoryGiBHour: expected a price in USD \(a number >= 0\), got number -1$/,
    ],
    [{ defaults: { cpuHourr: 1 } }, /^cost\.pricing\.defaults: unknown field "cpuHourr"$/],
    [
      { regions: ["us-east-1"] },
      /^cost\.pricing\.regions: expected a mapping of region to prices, got a list$/,
    ],
    [
      { regions: { "us-east-1": { instanceTypes: { "m5.large": { spotHour: null } } } } },
      /^cost\.pricing\.regions\.us-east-1\.instanceTypes\.m5\.large\.spotHour: expected a price in USD \(a number >= 0\), got null$/,
    ],
    [
      { regions: { eastus: { instanceTypes: { D4: { vcpu: -4 } } } } },
      /^cost\.pricing\.regions\.eastus\.instanceTypes\.D4\.vcpu: expected a vCPU count \(a number >= 0\), got number -4$/,
    ],
    [
      { regions: { eastus: { storageClasses: { premium: "lots" } } } },
      /^cost\.pricing\.regions\.eastus\.storageClasses\.premium: expected a price in USD/,
    ],
    [{ source: { approximate: true } }, /^cost\.pricing\.source\.name: required: a source name$/],
  ];
  for (const [doc, re] of cases) assert.match(pricingError(doc), re);
});

test("day2.yaml cost: section: valid, and garbage named with the file and field", () => {
  const cfg = parseConfig(
    "cost:\n  costLabels: [team, owner]\n  pricing:\n    defaults: { cpuHour: 0.04 }\n",
    "day2.yaml",
  );
  assert.deepEqual(cfg.cost, { costLabels: ["team", "owner"], pricing: { defaults: { cpuHour: 0.04 } } });
  assert.equal(parseConfig("rules: {}", "day2.yaml").cost, undefined);
  const bad = (src: string): string => {
    try {
      parseConfig(src, "day2.yaml");
    } catch (err) {
      assert.ok(err instanceof InputError);
      return err.message;
    }
    assert.fail(`accepted ${src}`);
  };
  assert.match(
    bad("cost:\n  pricing:\n    regions:\n      us-east-1:\n        loadBalancerHour: free\n"),
    /^day2\.yaml: cost\.pricing\.regions\.us-east-1\.loadBalancerHour: expected a price in USD \(a number >= 0\), got string "free"$/,
  );
  assert.match(
    bad("cost:\n  costLabels: team\n"),
    /^day2\.yaml: cost\.costLabels: expected a list of label keys/,
  );
  assert.match(bad("cost:\n  prices: {}\n"), /^day2\.yaml: cost: unknown field "prices"$/);
});
