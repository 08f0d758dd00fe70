// gunzip + JSON.parse of every line of a day2 snapshot, keeping nothing: the floor for reading it.
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
const t = Date.now();
const s = createReadStream(process.argv[2]).pipe(createGunzip());
s.setEncoding("utf8");
let rest = "",
  n = 0;
for await (const chunk of s) {
  const text = rest + chunk;
  let start = 0,
    nl;
  while ((nl = text.indexOf("\n", start)) >= 0) {
    JSON.parse(text.slice(start, nl));
    n++;
    start = nl + 1;
  }
  rest = text.slice(start);
}
console.log(n, Date.now() - t, "ms", Math.round(process.resourceUsage().maxRSS / 1024), "MB");
