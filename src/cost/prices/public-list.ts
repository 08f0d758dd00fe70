/**
 * The shipped price list: common AWS, GCP and Azure instance types in a handful of common
 * regions. APPROXIMATE: public on-demand (Linux, pay-as-you-go) list prices in USD as the
 * providers' pricing pages show them, rounded; a region other than each provider's base region
 * is the base price times a regional factor. Spot prices move hourly, so a spot price here is
 * the on-demand price times a typical discount for the provider. Anything here is overridden
 * by `cost.pricing` in day2.yaml (config wins, field by field).
 */
import type { PriceSheetInput, RegionPricesInput } from "../pricing.js";

export const SHIPPED_SOURCE = {
  name: "day2 shipped price list (approximate public on-demand list prices of AWS, GCP and Azure)",
  approximate: true,
  asOf: "2026-11-20",
} as const;

/** [vCPU, memory GiB, GPUs, on-demand USD/hour in the base region]. */
type Row = readonly [number, number, number, number];

interface ProviderList {
  readonly baseRegion: string;
  /** Region -> price factor against the base region. */
  readonly regions: Readonly<Record<string, number>>;
  /** Typical spot (or Spot VM / preemptible) price as a fraction of on-demand. */
  readonly spotFactor: number;
  readonly types: Readonly<Record<string, Row>>;
  readonly storageClasses: Readonly<Record<string, number>>;
  readonly storageGBMonth: number;
  readonly loadBalancerHour: number;
  readonly crossZoneGB: number;
  readonly egressGB: number;
}

const AWS: ProviderList = {
  baseRegion: "us-east-1",
  regions: { "us-east-1": 1, "us-east-2": 1, "us-west-2": 1, "eu-west-1": 1.11, "eu-central-1": 1.2 },
  spotFactor: 0.35,
  types: {
    "t3.medium": [2, 4, 0, 0.0416],
    "t3.large": [2, 8, 0, 0.0832],
    "t3.xlarge": [4, 16, 0, 0.1664],
    "t3.2xlarge": [8, 32, 0, 0.3328],
    "m5.large": [2, 8, 0, 0.096],
    "m5.xlarge": [4, 16, 0, 0.192],
    "m5.2xlarge": [8, 32, 0, 0.384],
    "m5.4xlarge": [16, 64, 0, 0.768],
    "m6i.large": [2, 8, 0, 0.096],
    "m6i.xlarge": [4, 16, 0, 0.192],
    "m6i.2xlarge": [8, 32, 0, 0.384],
    "m6i.4xlarge": [16, 64, 0, 0.768],
    "m6i.8xlarge": [32, 128, 0, 1.536],
    "m7i.xlarge": [4, 16, 0, 0.2016],
    "m7i.2xlarge": [8, 32, 0, 0.4032],
    "m6g.xlarge": [4, 16, 0, 0.154],
    "m7g.large": [2, 8, 0, 0.0816],
    "m7g.xlarge": [4, 16, 0, 0.1632],
    "m7g.2xlarge": [8, 32, 0, 0.3264],
    "c5.large": [2, 4, 0, 0.085],
    "c5.xlarge": [4, 8, 0, 0.17],
    "c5.2xlarge": [8, 16, 0, 0.34],
    "c5.4xlarge": [16, 32, 0, 0.68],
    "c6i.xlarge": [4, 8, 0, 0.17],
    "c6i.2xlarge": [8, 16, 0, 0.34],
    "c6i.4xlarge": [16, 32, 0, 0.68],
    "c7g.xlarge": [4, 8, 0, 0.145],
    "c7g.2xlarge": [8, 16, 0, 0.29],
    "r5.large": [2, 16, 0, 0.126],
    "r5.xlarge": [4, 32, 0, 0.252],
    "r5.2xlarge": [8, 64, 0, 0.504],
    "r6i.xlarge": [4, 32, 0, 0.252],
    "r6i.2xlarge": [8, 64, 0, 0.504],
    "r6i.4xlarge": [16, 128, 0, 1.008],
    "g4dn.xlarge": [4, 16, 1, 0.526],
    "g5.xlarge": [4, 16, 1, 1.006],
    "g5.2xlarge": [8, 32, 1, 1.212],
    "p3.2xlarge": [8, 61, 1, 3.06],
  },
  // EBS per GB-month; EFS standard storage for the usual EFS class names.
  storageClasses: {
    gp3: 0.08,
    gp2: 0.1,
    io1: 0.125,
    io2: 0.125,
    st1: 0.045,
    sc1: 0.015,
    efs: 0.3,
    "efs-sc": 0.3,
  },
  storageGBMonth: 0.08,
  loadBalancerHour: 0.0225,
  crossZoneGB: 0.01,
  egressGB: 0.09,
};

const GCP: ProviderList = {
  baseRegion: "us-central1",
  regions: { "us-central1": 1, "us-east1": 1, "us-west1": 1, "europe-west1": 1.1, "europe-west4": 1.1 },
  spotFactor: 0.3,
  types: {
    "e2-medium": [2, 4, 0, 0.033503],
    "e2-standard-2": [2, 8, 0, 0.067006],
    "e2-standard-4": [4, 16, 0, 0.134012],
    "e2-standard-8": [8, 32, 0, 0.268024],
    "e2-standard-16": [16, 64, 0, 0.536048],
    "n2-standard-2": [2, 8, 0, 0.097118],
    "n2-standard-4": [4, 16, 0, 0.194236],
    "n2-standard-8": [8, 32, 0, 0.388472],
    "n2-standard-16": [16, 64, 0, 0.776944],
    "n2-highmem-4": [4, 32, 0, 0.262032],
    "n2-highmem-8": [8, 64, 0, 0.524064],
    "n2-highcpu-8": [8, 8, 0, 0.286856],
    "n2d-standard-4": [4, 16, 0, 0.168984],
    "n2d-standard-8": [8, 32, 0, 0.337968],
    "c3-standard-4": [4, 16, 0, 0.20888],
    "c3-standard-8": [8, 32, 0, 0.41776],
    "t2d-standard-4": [4, 16, 0, 0.168984],
    "g2-standard-4": [4, 16, 1, 0.70683],
  },
  // pd-standard, pd-balanced and pd-ssd under GKE's default class names.
  storageClasses: { standard: 0.04, "standard-rwo": 0.1, "premium-rwo": 0.17 },
  storageGBMonth: 0.1,
  loadBalancerHour: 0.025,
  crossZoneGB: 0.01,
  egressGB: 0.12,
};

const AZURE: ProviderList = {
  baseRegion: "eastus",
  regions: { eastus: 1, eastus2: 1, westus2: 1, westeurope: 1.2, northeurope: 1.1 },
  spotFactor: 0.25,
  types: {
    Standard_B2s: [2, 4, 0, 0.0416],
    Standard_B4ms: [4, 16, 0, 0.166],
    Standard_D2s_v5: [2, 8, 0, 0.096],
    Standard_D4s_v5: [4, 16, 0, 0.192],
    Standard_D8s_v5: [8, 32, 0, 0.384],
    Standard_D16s_v5: [16, 64, 0, 0.768],
    Standard_D4as_v5: [4, 16, 0, 0.172],
    Standard_D8as_v5: [8, 32, 0, 0.344],
    Standard_D4ps_v5: [4, 16, 0, 0.154],
    Standard_D4s_v3: [4, 16, 0, 0.192],
    Standard_D8s_v3: [8, 32, 0, 0.384],
    Standard_E4s_v5: [4, 32, 0, 0.252],
    Standard_E8s_v5: [8, 64, 0, 0.504],
    Standard_F4s_v2: [4, 8, 0, 0.169],
    Standard_F8s_v2: [8, 16, 0, 0.338],
    Standard_NC4as_T4_v3: [4, 28, 1, 0.526],
  },
  // Managed disks are billed per size tier; these are the per-GB-month equivalents at 128 GiB.
  storageClasses: {
    default: 0.075,
    "managed-csi": 0.075,
    managed: 0.075,
    "managed-premium": 0.154,
    "managed-csi-premium": 0.154,
    azurefile: 0.06,
    "azurefile-csi": 0.06,
    "azurefile-csi-premium": 0.16,
  },
  storageGBMonth: 0.075,
  loadBalancerHour: 0.025,
  // Azure does not charge for traffic between availability zones of one region.
  crossZoneGB: 0,
  egressGB: 0.087,
};

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

function expand(list: ProviderList, provider: string): Record<string, RegionPricesInput> {
  const out: Record<string, RegionPricesInput> = {};
  for (const [region, factor] of Object.entries(list.regions)) {
    const instanceTypes: NonNullable<RegionPricesInput["instanceTypes"]> = {};
    for (const [name, [vcpu, memoryGiB, gpu, hourly]] of Object.entries(list.types)) {
      const onDemandHour = round(hourly * factor);
      instanceTypes[name] = {
        vcpu,
        memoryGiB,
        gpu,
        onDemandHour,
        spotHour: round(onDemandHour * list.spotFactor),
      };
    }
    out[region] = {
      provider,
      storageGBMonth: round(list.storageGBMonth * factor),
      storageClasses: Object.fromEntries(
        Object.entries(list.storageClasses).map(([k, v]) => [k, round(v * factor)]),
      ),
      loadBalancerHour: round(list.loadBalancerHour * factor),
      crossZoneGB: list.crossZoneGB,
      egressGB: list.egressGB,
      instanceTypes,
    };
  }
  return out;
}

/** The shipped list as a price-sheet input (validated by the same schema as day2.yaml). */
export const SHIPPED_PRICES: PriceSheetInput = {
  source: SHIPPED_SOURCE,
  regions: { ...expand(AWS, "aws"), ...expand(GCP, "gcp"), ...expand(AZURE, "azure") },
};
