import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Copy {
  path: string;
  content: string;
}
interface EmbedSchemas {
  embeddedSchemaCopies(root: string): Copy[];
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

function write(root: string, rel: string, content: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), content);
}

const core = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'ResilienceOptions',
  type: 'object',
  additionalProperties: false,
  properties: { timeoutMs: { description: 'Per-attempt timeout, ms. Defaults to 10000.', type: 'integer', minimum: 1, default: 10000 } },
};
const embedded = (({ $schema: _dropped, ...rest }) => rest)(core);

describe('scripts/embedschemas.mjs', () => {
  let root: string;
  let m: EmbedSchemas;
  before(async () => {
    m = (await import(pathToFileURL(join(repoRoot, 'scripts', 'embedschemas.mjs')).href)) as EmbedSchemas;
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rp-embed-'));
    write(root, 'packages/core/src/resilience/ResilienceOptions.schema.json', JSON.stringify(core, null, 2) + '\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("replaces a connector schema's properties.resilience with core's schema (without $schema), keeping every other member in place", () => {
    const schema = {
      title: 'X',
      required: ['a'],
      properties: { a: { type: 'string' }, resilience: { type: 'object', description: 'stale copy' }, b: { type: 'integer' } },
    };
    write(root, 'packages/connector-x/src/config.schema.json', JSON.stringify(schema, null, 2) + '\n');
    const copies = m.embeddedSchemaCopies(root);
    expect(copies.map((c) => c.path)).to.deep.equal([join(root, 'packages/connector-x/src/config.schema.json')]);
    const expected = { ...schema, properties: { ...schema.properties, resilience: embedded } };
    expect(copies[0].content).to.equal(JSON.stringify(expected, null, 2) + '\n');
    expect(Object.keys(JSON.parse(copies[0].content).properties)).to.deep.equal(['a', 'resilience', 'b']);
  });

  it('leaves out connector schemas that embed no resilience schema, and other packages but the host', () => {
    write(root, 'packages/connector-y/src/config.schema.json', '{ "properties": { "baseUrl": { "type": "string" } } }\n');
    write(root, 'packages/webhooks/src/config.schema.json', '{ "properties": { "resilience": {} } }\n');
    expect(m.embeddedSchemaCopies(root)).to.deep.equal([]);
  });

  it("writes the host config's connectors[].resilience without defaults, keeping the entry's description", () => {
    const host = {
      type: 'object',
      properties: {
        connectors: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, resilience: { type: 'object', description: 'How these combine.' } },
          },
        },
      },
    };
    write(root, 'packages/host/src/config.schema.json', JSON.stringify(host, null, 2) + '\n');
    const copies = m.embeddedSchemaCopies(root);
    expect(copies.map((c) => c.path)).to.deep.equal([join(root, 'packages/host/src/config.schema.json')]);
    const written = JSON.parse(copies[0].content).properties.connectors.items.properties.resilience;
    // A default filled in by ajv would override the plugin's own options, so none is embedded.
    expect(written).to.deep.equal({
      ...embedded,
      description: 'How these combine.',
      properties: { timeoutMs: { description: 'Per-attempt timeout, ms. Defaults to 10000.', type: 'integer', minimum: 1 } },
    });
    write(root, 'packages/host/src/config.schema.json', '{ "properties": {} }\n');
    expect(() => m.embeddedSchemaCopies(root)).to.throw(/^packages\/host\/src\/config\.schema\.json: no properties\.connectors/);
  });

  it('fails naming the file when it is not JSON', () => {
    write(root, 'packages/connector-z/src/config.schema.json', '{ "properties": { "resilience": {} }, }\n');
    expect(() => m.embeddedSchemaCopies(root)).to.throw(/^packages\/connector-z\/src\/config\.schema\.json: not JSON/);
  });

  it("returns nothing without core's schema", () => {
    rmSync(join(root, 'packages/core'), { recursive: true });
    write(root, 'packages/connector-x/src/config.schema.json', '{ "properties": { "resilience": {} } }\n');
    expect(m.embeddedSchemaCopies(root)).to.deep.equal([]);
  });
});
