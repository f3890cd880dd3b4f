import Module from 'node:module';

/**
 * globalSetup runs outside Jest's module registry, so its moduleNameMapper does not apply there:
 * let Node resolve the NodeNext-style './x.js' imports of src/ to the './x.ts' beside them.
 */
const mod = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = mod._resolveFilename;
mod._resolveFilename = function resolveTs(request: string, ...rest: unknown[]): string {
  try {
    return original.call(this, request, ...rest);
  } catch (e) {
    if (request.startsWith('.') && request.endsWith('.js')) return original.call(this, request.slice(0, -3) + '.ts', ...rest);
    throw e;
  }
};
