import { Authenticator } from './authenticator';
import { UnauthenticatedError } from '../errors';

describe('reading a credential', () => {
  const http = (authorization?: string, apiKey?: string) => Authenticator.credentialFrom(authorization, apiKey);
  const live = (value: unknown) => Authenticator.liveCredentialFrom(value);

  it('reads Bearer values and bare tokens alike over HTTP and WebSocket', () => {
    expect(http('Bearer abc')).toBe('abc');
    expect(live('Bearer abc')).toBe('abc');
    expect(live('  bearer   abc  ')).toBe('abc');
    expect(http(undefined, ' rr_key ')).toBe('rr_key');
    expect(live(' rr_key ')).toBe('rr_key');
    expect(http()).toBeUndefined();
    expect(live(undefined)).toBeUndefined();
    expect(live(42)).toBeUndefined();
    expect(live('')).toBeUndefined();
  });

  it('refuses over WebSocket the malformed Authorization values HTTP refuses', () => {
    for (const value of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer\ta\tb']) {
      expect(() => http(value)).toThrow(UnauthenticatedError);
      expect(() => live(value)).toThrow(UnauthenticatedError);
    }
  });
});
