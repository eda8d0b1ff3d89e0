import { defineConfig } from 'vitest/config';

// One runner for everything: node-side unit tests, the tag's DOM tests, and the
// real-browser end-to-end tests (playwright-core driving the system Chromium). A full
// `pnpm test` (scripts/test.sh) runs these projects by name: name a new one there too.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
          exclude: [
            'packages/tracker/**',
            '**/node_modules/**',
            // The Node 22 pass (scripts/test.sh): the Worker's tests run in workerd whatever
            // Node starts them. (vitest's --exclude does not reach a project's own list.)
            ...(process.env.SLUICE_UNIT_WITHOUT_WORKER ? ['apps/worker/**'] : []),
          ],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'tracker',
          environment: 'happy-dom',
          // Node 25+ defines its own localStorage global (undefined without --localstorage-file)
          // and vitest then keeps it over happy-dom's (vitest-dev/vitest#8757).
          execArgv: ['--no-experimental-webstorage'],
          include: ['packages/tracker/src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          globalSetup: ['e2e/bundle-entries.global.ts'],
        },
      },
    ],
  },
});
