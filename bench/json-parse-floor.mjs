// The floor any tool pays for a kubectl List: read the whole file and JSON.parse it once.
import { readFileSync } from "node:fs";
const text = readFileSync(process.argv[2], "utf8");
const list = JSON.parse(text);
if (!Array.isArray(list.items)) throw new Error("not a List");
process.stderr.write(`parsed ${list.items.length} items\n`);
