import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type NextFunction, type Request, type Response } from 'express';

/** Where `npm run build` puts the GraphiQL bundle: dist/graphiql, seen from src/web or dist/src/web. */
function bundleDir(): string | null {
  const candidates = [join(__dirname, '..', '..', 'graphiql'), join(__dirname, '..', '..', 'dist', 'graphiql')];
  return candidates.find((dir) => existsSync(join(dir, 'graphiql.js')) && existsSync(join(dir, 'graphiql.css'))) ?? null;
}

/**
 * Only the page's own files run; styles may be inline (GraphiQL's editor and React set some);
 * fetches and the WebSocket go to this server only.
 */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapport GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/graphiql.js"></script>
</body>
</html>
`;

/** True for a browser navigation: a GET that prefers HTML over JSON. */
function wantsHtml(req: Request): boolean {
  return req.method === 'GET' && req.accepts(['application/json', 'text/html']) === 'text/html';
}

/**
 * `GET /graphql` from a browser (`accept: text/html`): GraphiQL, from the server's own files
 * (`/graphiql/graphiql.js` and `.css`, bundled at build time). Other requests go on to GraphQL.
 */
export function graphiqlRoutes(): Router {
  const router = Router();
  const dir = bundleDir();
  const page = (req: Request, res: Response, next: NextFunction) => {
    if (!wantsHtml(req)) return next();
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('content-security-policy', GRAPHIQL_CSP);
    if (!dir) {
      res.status(503).type('text/plain').send('GraphiQL is not built: run `npm run build` (it bundles dist/graphiql/).\n');
      return;
    }
    res.type('html').send(PAGE);
  };
  router.get('/graphql', page);
  for (const [name, type] of [
    ['graphiql.js', 'text/javascript; charset=utf-8'],
    ['graphiql.css', 'text/css; charset=utf-8'],
  ] as const) {
    router.get(`/graphiql/${name}`, (_req, res) => {
      if (!dir) return res.status(404).type('text/plain').send('GraphiQL is not built\n');
      res.type(type);
      res.setHeader('cache-control', 'public, max-age=300');
      res.setHeader('x-content-type-options', 'nosniff');
      res.sendFile(name, { root: dir });
    });
  }
  return router;
}
