import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Variables src/config.ts reads. */
function configVariables(): string[] {
  const source = read('src/config.ts');
  return [...new Set([...source.matchAll(/\w+Var\(env, '([A-Z_]+)'/g), ...source.matchAll(/env\.([A-Z_]+)/g)].map((m) => m[1]))];
}

describe('the documentation a clone comes with', () => {
  it.each(documents)('%s links only to files inside the repository, and they exist', (doc) => {
    const text = read(doc);
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^(https?:|mailto:|#)/.test(l));
    for (const link of links) {
      const target = resolve(root, dirname(doc), link.split('#')[0]);
      expect({ doc, link, inside: target.startsWith(root + '/') }).toEqual({ doc, link, inside: true });
      expect({ doc, link, exists: existsSync(target) }).toEqual({ doc, link, exists: true });
    }
    expect(text).not.toMatch(/shared\/design/);
  });

  it('documents every variable the server reads, in docs/operations.md and the README', () => {
    const operations = read('docs/operations.md');
    const readme = read('README.md');
    for (const name of configVariables().filter((n) => n !== 'NODE_ENV')) {
      expect({ name, inOperations: operations.includes(`\`${name}\``), inReadme: readme.includes(`\`${name}\``) }).toEqual({
        name,
        inOperations: true,
        inReadme: true,
      });
    }
  });

  it('keeps the two commands first in the README', () => {
    const firstBlock = /```bash\n([\s\S]*?)```/.exec(read('README.md'))![1];
    expect(firstBlock).toMatch(/^npm install && npm start/m);
    expect(firstBlock).toMatch(/^npm test/m);
  });
});
