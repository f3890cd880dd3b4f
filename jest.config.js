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
};
