import type { AppServices } from '../context.js';

/**
 * Node-wide live state (a feature's coalescer or shared feeds), one per server, made on first
 * use: several servers may share a process in tests and benches.
 */
export function perServer<T>(make: (app: AppServices) => T): (app: AppServices) => T {
  const byApp = new WeakMap<AppServices, T>();
  return (app) => {
    let state = byApp.get(app);
    if (!state) byApp.set(app, (state = make(app)));
    return state;
  };
}
