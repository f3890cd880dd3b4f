import { isTimeZone, slugify } from './slug';

describe('slugify', () => {
  it('lowercases, strips accents and joins words with dashes', () => {
    expect(slugify('  Café Société & Co. ')).toBe('cafe-societe-co');
  });
  it('falls back to "org" when nothing URL-safe is left', () => {
    expect(slugify('!!!')).toBe('org');
  });
  it('keeps at most 40 characters and no trailing dash', () => {
    const slug = slugify('a'.repeat(39) + ' b');
    expect(slug.length).toBeLessThanOrEqual(40);
    expect(slug.endsWith('-')).toBe(false);
  });
});

describe('isTimeZone', () => {
  it('accepts IANA names and rejects others', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
