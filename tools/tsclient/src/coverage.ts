// Before any service runs: every operation of openapi.yaml has a call in main.ts (METHOD("path" as openapi-fetch
// spells it). A new endpoint is not done until the program calls it; main.ts checks the same again at run time.
import { readFileSync } from "node:fs";
import { Contract } from "./contract.js";

const source = readFileSync(new URL("../src/main.ts", import.meta.url), "utf8");
const written = new Set<string>();
for (const m of source.matchAll(/\.(GET|POST|PUT|PATCH|DELETE)\(\s*"([^"]+)"/g)) written.add(`${m[1]} ${m[2]}`);
const missing = new Contract().operations.filter((o) => !written.has(`${o.method} ${o.path}`));
if (missing.length > 0) {
  console.error(`tsclient: src/main.ts calls no ${missing.map((o) => `${o.operationId} (${o.method} ${o.path})`).join(", ")}`);
  process.exit(1);
}
console.log(`tsclient: src/main.ts calls all ${written.size} operations of openapi.yaml`);
