import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Router, type Response } from 'express';
import helmet from 'helmet';

/**
 * The static files of the widgets: beside this module when run from src/ (tests), or in src/web
 * of the app when run from dist/ (tsc does not copy them; the Docker image ships src/web).
 */
function staticDir(): string {
  const candidates = [join(__dirname, 'static'), join(__dirname, '..', '..', '..', 'src', 'web', 'static')];
  const found = candidates.find((dir) => existsSync(join(dir, 'widget.js')));
  if (!found) throw new Error(`the widget files are missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** uPlot's dist folder (its package main lives there). */
function uplotDir(): string {
  return dirname(require.resolve('uplot'));
}

/** Files a page may load, by URL name: [directory, file name, content type]. */
function files(): Map<string, [string, string, string]> {
  const web = staticDir();
  const uplot = uplotDir();
  const js = 'text/javascript; charset=utf-8';
  return new Map([
    ['widget.js', [web, 'widget.js', js]],
    ['widget-format.js', [web, 'widget-format.js', js]],
    ['builder.js', [web, 'builder.js', js]],
    ['live-client.js', [web, 'live-client.js', js]],
    ['embed.js', [web, 'embed.js', js]],
    ['widget.css', [web, 'widget.css', 'text/css; charset=utf-8']],
    ['vendor/uPlot.esm.js', [uplot, 'uPlot.esm.js', js]],
    ['vendor/uPlot.min.css', [uplot, 'uPlot.min.css', 'text/css; charset=utf-8']],
  ]);
}

/**
 * `GET /widgets`: the widget builder (an ADMIN credential, a metric or an ROI model, a window, the
 * page's origin: a live preview and a snippet with a widget token made for that page).
 * `GET /widgets/embed.js`: renders the widget inside a customer's own page, from
 * `<div data-rapport-widget data-metric="…" data-token="rrw_…">`. The scripts are static and public
 * (tokens come from the page), so any origin may load them: module scripts are fetched with CORS.
 */
export function widgetRoutes(): Router {
  const router = Router();
  const web = staticDir();
  const served = files();
  const send = (res: Response, [dir, name, type]: [string, string, string]) => {
    res.type(type);
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('cache-control', 'public, max-age=300');
    res.setHeader('x-content-type-options', 'nosniff');
    res.sendFile(name, { root: dir });
  };
  // Security headers (helmet) on the HTML page; its one module script is inline, and it talks to /graphql over WebSocket.
  const pageHeaders = helmet({
    contentSecurityPolicy: { directives: { scriptSrc: ["'self'", "'unsafe-inline'"], connectSrc: ["'self'", 'ws:', 'wss:'] } },
    referrerPolicy: { policy: 'no-referrer' },
  });
  router.get('/widgets', pageHeaders, (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.sendFile('index.html', { root: web });
  });
  for (const [path, file] of served) router.get(`/widgets/${path}`, (_req, res) => send(res, file));
  return router;
}
