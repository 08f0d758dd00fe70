// Preloaded into a benchmarked process (node --import): on exit, writes the process's wall
// time and peak RSS as one JSON line to the file named by DAY2_BENCH_OUT.
import { appendFileSync } from "node:fs";
const started = performance.timeOrigin;
process.on("exit", () => {
  const out = process.env.DAY2_BENCH_OUT;
  if (!out) return;
  appendFileSync(
    out,
    JSON.stringify({ wallMs: Date.now() - started, maxRssKb: process.resourceUsage().maxRSS }) + "\n",
  );
});
