/** The state of one generator run, shared by the builders. */
import type { KubeObject } from "../state/raw.js";
import { VersionClock } from "./format.js";
import type { NodeRec } from "./nodes.js";
import { Placement } from "./nodes.js";
import { Rng, hashParts } from "./random.js";
import type { DemoSizing } from "./scale.js";

export class Gen {
  readonly clock = new VersionClock();
  readonly placement: Placement;
  /** The stream for container ids and generated name suffixes, in emission order. */
  readonly rng: Rng;
  /** image reference -> [normalised image, imageID] */
  readonly images = new Map<string, [string, string]>();
  /** Events about nodes, emitted with the "default" namespace. */
  readonly nodeEvents: KubeObject[] = [];
  private svcSeq = 0;

  constructor(
    readonly sizing: DemoSizing,
    readonly nodes: readonly NodeRec[],
  ) {
    this.placement = new Placement(nodes);
    this.rng = new Rng(hashParts(sizing.seed, "stream"));
  }

  get seed(): number {
    return this.sizing.seed;
  }

  /** The next ClusterIP from the service CIDR 172.20.0.0/16. */
  nextClusterIp(): string {
    const n = ++this.svcSeq + 10;
    return `172.${20 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
  }
}
