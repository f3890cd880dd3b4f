import { asJavaScriptWritesIt } from './raw-json';

describe('asJavaScriptWritesIt: PostgreSQL JSON text as JSON.stringify writes it', () => {
  it('rewrites the numbers float8 writes with an exponent, and nothing else', () => {
    for (const text of ['{"a":1e-05}', '[5e-324,1e+15]', '{"a":1.2345678901234568e+17,"b":"x"}', '{"a":[0.5,1e-07]}']) {
      expect(asJavaScriptWritesIt(text)).toBe(JSON.stringify(JSON.parse(text)));
      expect(asJavaScriptWritesIt(text)).not.toBe(text);
    }
    // Strings that look like exponents stay as they are, with or without the signs the fast check looks for.
    for (const text of ['{"a":"1e-05"}', '{"re-engage":"one-off e+ 2e5"}', '{"a":0.0001,"b":"Eve"}', '{"e":1}']) {
      expect(asJavaScriptWritesIt(text)).toBe(text);
    }
  });
});
