import type { AuthCheckerFn } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { ApiKeyScope } from './scopes.js';

/**
 * The one authorization mechanism: each operation declares the scopes it needs with
 * `@Authorized(ApiKeyScope.X)`; this checks them against the caller's principal.
 */
export const authChecker: AuthCheckerFn<RequestContext, ApiKeyScope> = ({ context }, scopes) => {
  const principal = context.principal;
  if (!principal) throw new UnauthenticatedError();
  const missing = scopes.filter((s) => !principal.scopes.has(s));
  if (missing.length) throw new ForbiddenError(`This operation needs the ${missing.join(', ')} scope`);
  return true;
};
