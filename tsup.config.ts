import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    // import.meta.url in the CommonJS build, to find the bundled rules beside the package.
    shims: true,
    target: "node20",
  },
  {
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    banner: { js: "#!/usr/bin/env node" },
    target: "node20",
  },
  {
    // The worker thread of parallel batches, loaded by file beside index.js, index.cjs and cli.js.
    entry: { "batch-worker": "src/audit/batch-worker.ts" },
    format: ["esm"],
    target: "node20",
  },
]);
