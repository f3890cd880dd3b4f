import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const CLI = require.resolve('graphql-schema-linter/lib/cli.js');

/** Descriptions everywhere, and connections as the Relay spec has them. */
const RULES = [
  'types-have-descriptions',
  'fields-have-descriptions',
  'arguments-have-descriptions',
  'input-object-values-have-descriptions',
  'enum-values-have-descriptions',
  'relay-connection-types-spec',
  'relay-connection-arguments-spec',
  'relay-page-info-spec',
];

describe('schema/schema.graphql', () => {
  it('passes graphql-schema-linter’s description and Relay rules with no finding', () => {
    let output = '';
    let status = 0;
    try {
      output = execFileSync(process.execPath, [CLI, '--format', 'compact', '--rules', RULES.join(','), join(root, 'schema', 'schema.graphql')], {
        cwd: root,
        encoding: 'utf8',
      });
    } catch (e) {
      const failed = e as { status: number; stdout: string; stderr: string };
      status = failed.status;
      output = `${failed.stdout}${failed.stderr}`;
    }
    // Each finding names the type, field or argument to describe: add a `description` there, then `npm run schema`.
    expect(output.trim().split('\n').filter(Boolean)).toEqual([]);
    expect(status).toBe(0);
  });
});
