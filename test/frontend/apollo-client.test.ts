import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { DEFINE, RECORD, waitUntil, wsUrl } from '../live/support/live';

let t: TestServer;
let acme: Tenant;
let secret: string;
let ws: Client;

/** Every HTTP body the Apollo links sent, and the codes of the errors that came back. */
const sent: Array<{ query?: string; extensions?: { persistedQuery?: { sha256Hash: string } } }> = [];
const answeredCodes: string[] = [];
const recordingFetch: typeof fetch = async (input, init) => {
  sent.push(JSON.parse(String(init?.body)));
  const res = await fetch(input, init);
  const body = (await res.clone().json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  for (const e of body.errors ?? []) answeredCodes.push(e.extensions?.code ?? '');
  return res;
};

/** An Apollo Client as a front-end would set it up: persisted queries over HTTP, subscriptions over graphql-ws. */
function makeClient(): ApolloClient {
  const http = new PersistedQueryLink({ sha256: (q: string) => createHash('sha256').update(q).digest('hex') }).concat(
    new HttpLink({ uri: `${t.url}/graphql`, headers: { authorization: `Bearer ${secret}` }, fetch: recordingFetch }),
  );
  const live = new GraphQLWsLink(ws);
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.split(({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION, live, http),
  });
}

beforeAll(async () => {
  t = await startTestServer();
  acme = await signUp(t, 'Apollo Client');
  await acme.client.data(DEFINE, { input: { key: 'signups', name: 'Sign-ups', aggregation: 'SUM' } });
  secret = (await apiKey(acme, ['READ', 'INGEST'], 'front-end')).secret;
  ws = createClient({ url: wsUrl(t.url), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${secret}` }, retryAttempts: 0 });
});
afterAll(async () => {
  await ws?.dispose();
  await t.close();
});

interface ViewerData {
  viewer: { scopes: string[]; organization: { id: string; name: string } };
}

const VIEWER = gql`
  query FrontEndViewer {
    viewer {
      scopes
      organization { id name }
    }
  }
`;

describe('Apollo Client against a running server', () => {
  it('runs a query through the persisted-query link: a hash miss first, then the hash alone is enough', async () => {
    sent.length = 0;
    answeredCodes.length = 0;
    const first = await makeClient().query<ViewerData>({ query: VIEWER });
    expect(first.data?.viewer.organization.name).toBe('Apollo Client');
    // The link sent the hash alone, the server answered PERSISTED_QUERY_NOT_FOUND, the link sent the query.
    expect(sent).toHaveLength(2);
    expect(sent[0].query).toBeUndefined();
    expect(sent[0].extensions?.persistedQuery?.sha256Hash).toMatch(/^[0-9a-f]{64}$/);
    expect(answeredCodes).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(sent[1].query).toContain('FrontEndViewer');

    sent.length = 0;
    answeredCodes.length = 0;
    const second = await makeClient().query<ViewerData>({ query: VIEWER, fetchPolicy: 'network-only' });
    expect(second.data?.viewer.scopes).toEqual(expect.arrayContaining(['READ', 'INGEST']));
    expect(sent).toHaveLength(1);
    expect(sent[0].query).toBeUndefined();
    expect(answeredCodes).toEqual([]);
  });

  it('runs a mutation and reads GraphQL errors with their codes', async () => {
    const client = makeClient();
    const done = await client.mutate({
      mutation: gql(RECORD),
      variables: { points: [{ metricKey: 'signups', value: 2, at: new Date().toISOString() }] },
    });
    expect(done.data).toMatchObject({ recordMetrics: { accepted: 1 } });
    const bad = await client.query({ query: gql`query Nope { viewer { nope } }`, errorPolicy: 'all' });
    expect((bad.error as { errors?: Array<{ extensions?: { code?: string } }> })?.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('receives a subscription over graphql-ws', async () => {
    const client = makeClient();
    const values: number[] = [];
    const subscription = client
      .subscribe({ query: gql`subscription Signups { metricUpdated(metricKey: "signups") { metricKey value } }` })
      .subscribe({ next: (result) => result.data && values.push((result.data as { metricUpdated: { value: number } }).metricUpdated.value) });
    try {
      // The subscription is live once a recorded point reaches it; record until one does.
      await waitUntil(async () => {
        await acme.client.data(RECORD, { points: [{ metricKey: 'signups', value: 5, at: new Date().toISOString() }] });
        return values.length > 0;
      }, 'a metricUpdated event through Apollo Client');
      expect(values[0]).toBe(5);
    } finally {
      subscription.unsubscribe();
    }
  });
});
