import { BadInputError } from '../../platform/errors.js';

/**
 * An origin as browsers send it in the Origin header (`https://example.com`, `http://127.0.0.1:8080`):
 * scheme, host and port only, lower case, the default port left out. Anything else, wildcards
 * and `null` included, is BAD_USER_INPUT naming its position.
 */
export function normalizeOrigin(value: string, index: number): string {
  const bad = (why: string) => new BadInputError(`allowedOrigins[${index}] ${why}`, { field: 'allowedOrigins', index });
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw bad(`'${value}' is not an origin such as https://www.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('must start with https:// or http://');
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password || /[?#]$/.test(value.trim())) {
    throw bad(`'${value}' must be only a scheme, host and port, such as ${url.origin}`);
  }
  return url.origin;
}
