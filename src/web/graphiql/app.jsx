// GraphiQL for Rapport, bundled by scripts/build-graphiql.mjs into dist/graphiql/ (no CDN).
// Queries and mutations go over HTTP with the headers of the header editor; subscriptions go over
// graphql-ws on the same path, with the editor's `authorization` (or `x-api-key`) as connectionParams.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { Kind } from 'graphql';
import { createClient } from 'graphql-ws';
import React from 'react';
import { createRoot } from 'react-dom/client';

const httpUrl = new URL('/graphql', window.location.href).toString();
const wsUrl = httpUrl.replace(/^http/, 'ws');
const http = createGraphiQLFetcher({ url: httpUrl });

/** One graphql-ws client per credential, made when first needed. */
const wsClients = new Map();
function wsClient(headers) {
  const lower = Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const authorization = lower.authorization ?? (lower['x-api-key'] ? `Bearer ${lower['x-api-key']}` : undefined);
  const key = authorization ?? '';
  if (!wsClients.has(key)) {
    wsClients.set(key, createClient({ url: wsUrl, lazy: true, connectionParams: authorization ? { authorization } : {} }));
  }
  return wsClients.get(key);
}

function isSubscription(documentAST, operationName) {
  const operations = (documentAST?.definitions ?? []).filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  return operation?.operation === 'subscription';
}

function fetcher(params, options) {
  if (!isSubscription(options?.documentAST, params.operationName)) return http(params, options);
  return wsClient(options?.headers).iterate(params);
}

const initialQuery = `# Welcome to Rapport's GraphiQL.
# Put your credential in the Headers tab below, e.g.
#   {"authorization": "Bearer <session token or API key>"}
# then press the run button (or Ctrl-Enter). The Docs button shows every type.

query Viewer {
  viewer {
    scopes
    organization { name slug }
  }
}
`;

createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: initialQuery,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: false,
  }),
);
