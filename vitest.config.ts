import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // 2-core machines, PGlite instances are heavy: keep parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
    // The spec expansion heap test calls gc() to measure retained memory, not garbage.
    poolOptions: { forks: { execArgv: ["--expose-gc"] } },
  },
})
