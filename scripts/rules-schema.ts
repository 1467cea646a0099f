// Regenerates rules/schema/*.schema.json from the zod schemas of rule files (`npm run rules:schema`).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ruleFileJsonSchemas } from "../src/rule-set/json-schema.js";

const dir = join(import.meta.dirname, "..", "rules", "schema");
mkdirSync(dir, { recursive: true });
for (const [file, schema] of Object.entries(ruleFileJsonSchemas())) {
  writeFileSync(join(dir, file), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote rules/schema/${file}`);
}
