/** One GraphQL error as the server returns it. */
export interface GqlError {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GqlResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: GqlError[];
  headers: Headers;
}

/** A plain fetch-based GraphQL client over real HTTP. */
export class GraphQLClient {
  constructor(
    readonly endpoint: string,
    private readonly token?: string,
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  /** A client that sends the given headers too. */
  withHeaders(headers: Record<string, string>): GraphQLClient {
    return new GraphQLClient(this.endpoint, this.token, { ...this.extraHeaders, ...headers });
  }

  /** Posts an operation and returns status, data and errors. */
  async request<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this.extraHeaders };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(this.endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: GqlError[] };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  }

  /** Posts an operation and returns its data, failing on any error. */
  async data<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await this.request<T>(query, variables);
    if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
    return res.data as T;
  }

  /** Posts an operation that must fail, and returns its first error. */
  async error(query: string, variables?: Record<string, unknown>): Promise<GqlError> {
    const res = await this.request(query, variables);
    if (!res.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(res.data)}`);
    return res.errors[0];
  }
}
