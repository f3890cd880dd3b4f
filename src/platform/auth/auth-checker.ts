import type { AuthCheckerFn } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { ApiKeyScope } from './scopes.js';
import { widgetFieldError } from './widget-grant.js';

/**
 * The one authorization mechanism: each operation declares the scopes it needs with
 * `@Authorized(ApiKeyScope.X)`; this checks them against the caller's principal. A widget token
 * has no scopes: its grant decides, field by field and with the field's arguments (the same
 * grant is checked for every selected field before the operation runs, see widget-grant.ts).
 */
export const authChecker: AuthCheckerFn<RequestContext, ApiKeyScope> = ({ context, args, info }, scopes) => {
  const principal = context.principal;
  if (!principal) throw new UnauthenticatedError();
  if (principal.widget) {
    const why = widgetFieldError(principal.widget, info.parentType.name, info.fieldName, args);
    if (why) throw new ForbiddenError(why);
    return true;
  }
  const missing = scopes.filter((s) => !principal.scopes.has(s));
  if (missing.length) throw new ForbiddenError(`This operation needs the ${missing.join(', ')} scope`);
  return true;
};
