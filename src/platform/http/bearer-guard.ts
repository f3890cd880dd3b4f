import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Express middleware that lets a request through only with `Authorization: Bearer <token>`
 * (compared in constant time), else 401; with no token configured, everyone passes.
 */
export function bearerGuard(token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!expected) return next();
    const given = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '')?.[1];
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    res.setHeader('www-authenticate', 'Bearer');
    res.status(401).type('text/plain').send('Unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n');
  };
}
