/** Jest: unit tests beside the code (src/**\/*.test.ts), integration tests under test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Sources import './x.js' (NodeNext style); Jest resolves the .ts file beside it.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      // Type-checking is `tsc --noEmit` in `npm test`; here ts-jest only compiles, to CommonJS.
      { tsconfig: { module: 'commonjs', moduleResolution: 'node10' }, diagnostics: false },
    ],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
  // A worker gets this long to exit once the run is over before Jest kills it and reports a leak
  // (which `scripts/jest.cjs` turns into a failure). Jest's 500 ms default is shorter than a busy
  // 2-core machine needs to tear a worker down; a real leak keeps the worker alive forever.
  workerGracefulExitTimeout: 15000,
};
