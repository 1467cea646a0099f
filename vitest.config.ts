import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    // `npm run coverage`: line coverage of src/, at least 90% (the CLI is run in process by tests/cli-in-process.test.ts).
    coverage: { provider: "v8", include: ["src/**/*.ts"], reporter: ["text", "text-summary"], thresholds: { lines: 90 } },
  },
});
