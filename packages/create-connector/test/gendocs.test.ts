import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface GeneratedDoc {
  path: string;
  content: string;
}
type GenerateDocs = (root: string) => Promise<GeneratedDoc[]>;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

async function loadGenerateDocs(): Promise<GenerateDocs> {
  const mod = (await import(pathToFileURL(join(repoRoot, 'scripts', 'gendocs.mjs')).href)) as { generateDocs: GenerateDocs };
  return mod.generateDocs;
}

function write(root: string, rel: string, content: unknown): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

const hostSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'HostConfig',
  description: 'Fixture host config.',
  type: 'object',
  additionalProperties: false,
  required: ['storage'],
  properties: {
    server: {
      type: 'object',
      properties: { port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080, description: 'TCP port.' } },
    },
    storage: {
      oneOf: [
        { type: 'object', required: ['driver', 'path'], properties: { driver: { const: 'sqlite' }, path: { type: 'string' } } },
        {
          type: 'object',
          required: ['driver', 'url'],
          properties: { driver: { const: 'postgres' }, url: { type: 'string', 'x-secret': true } },
        },
      ],
    },
    tenants: { type: 'array', items: { $ref: '#/definitions/Tenant' } },
    logging: { type: 'object', properties: { level: { enum: ['info', 'debug'], default: 'info' } } },
  },
  definitions: {
    Tenant: {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string', description: 'Tenant | id.' },
        apiKeys: { type: 'array', items: { type: 'string', minLength: 16, 'x-secret': true } },
      },
    },
  },
};

const pluginSchema = {
  title: 'ZapConfig',
  description: 'Fixture plugin.',
  type: 'object',
  additionalProperties: false,
  required: ['baseUrl', 'apiKey'],
  properties: {
    baseUrl: { type: 'string', format: 'uri' },
    apiKey: { type: 'string', writeOnly: true, description: 'Key.' },
    products: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

describe('scripts/gendocs.mjs generateDocs', () => {
  let root: string;
  let generateDocs: GenerateDocs;
  before(async () => {
    generateDocs = await loadGenerateDocs();
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rp-gendocs-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('renders every host config property with path, type, required, default, secret, description and example', async () => {
    write(root, 'packages/host/src/config.schema.json', hostSchema);
    const docs = await generateDocs(root);
    expect(docs.map((d) => d.path)).to.deep.equal([join(root, 'docs/reference/config.md')]);
    const md = docs[0].content;
    expect(md).to.include('Generated from packages/host/src/config.schema.json');
    expect(md).to.include('| `server.port` | integer (0–65535) | no | `8080` | no | TCP port. | `8080` |');
    expect(md).to.include('| `storage` | one of the variants below | yes |');
    expect(md).to.include('| `storage.path` | string | yes |  | no | *(when driver = "sqlite")* |');
    expect(md).to.include('| `storage.url` | string | yes |  | **yes** | *(when driver = "postgres")* | `"${STORAGE_URL}"` |');
    expect(md).to.include('| `tenants[].id` | string | yes |  | no | Tenant \\| id. |');
    expect(md).to.include('| `tenants[].apiKeys` | array of string (length ≥ 16) | no |  | **yes** |');
    expect(md).to.include('| `logging.level` | one of `"info"`, `"debug"` | no | `"info"` | no |');
  });

  it('renders a section per plugin with an example connectors[] entry, and skips the host file when its schema is absent', async () => {
    write(root, 'packages/connector-zap/src/config.schema.json', pluginSchema);
    write(root, 'packages/connector-zap/package.json', { name: '@acme/connector-zap', relaypoint: { kind: 'connector', id: 'zap' } });
    const docs = await generateDocs(root);
    expect(docs.map((d) => d.path)).to.deep.equal([join(root, 'docs/reference/plugins.md')]);
    const md = docs[0].content;
    expect(md).to.include('## @acme/connector-zap (plugin id `zap`)');
    expect(md).to.include('"apiKey": "${ZAP_API_KEY}"');
    expect(md).to.include('| `apiKey` | string | yes |  | **yes** | Key. | `"${ZAP_API_KEY}"` |');
    expect(md).to.include('| `products` | map of string | no |');
  });

  it("renders the HTTP API reference from the host module's buildOpenApiDocument()", async () => {
    write(root, 'packages/host/package.json', { name: '@fixture/host', type: 'module' });
    write(
      root,
      'packages/host/dist/src/index.js',
      `export function buildOpenApiDocument() { return ${JSON.stringify({
        openapi: '3.1.0',
        info: { title: 'Fixture API', version: '1.2.3' },
        components: {
          securitySchemes: { tenantKey: { type: 'http', scheme: 'bearer' } },
          schemas: { Issuance: { type: 'object', description: 'An issuance.', properties: { id: { type: 'string' } } } },
        },
        security: [{ tenantKey: [] }],
        paths: {
          '/v1/issuances/{id}': {
            get: {
              summary: 'Read an issuance',
              parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
              responses: {
                '200': {
                  description: 'The issuance',
                  content: { 'application/json': { schema: { $ref: '#/components/schemas/Issuance' } } },
                },
                '404': { description: 'Not found' },
              },
            },
          },
        },
      })}; }\n`,
    );
    const docs = await generateDocs(root);
    const api = docs.find((d) => d.path.endsWith('http-api.md'));
    expect(api, 'http-api.md rendered').to.not.equal(undefined);
    const md = api!.content;
    expect(md).to.include('# HTTP API reference — Fixture API');
    expect(md).to.include('### GET /v1/issuances/{id}');
    expect(md).to.include('Auth: `tenantKey`.');
    expect(md).to.include('| `id` | path | yes | string |  |');
    expect(md).to.include('| 200 | The issuance | `application/json` [Issuance](#schema-issuance) |');
    expect(md).to.include('<a id="schema-issuance"></a>');
  });

  it('renders errors.md from the code tables: a section per table, a row per code with its doc comment, group comments as headings', async () => {
    write(root, 'packages/core/package.json', { name: '@fixture/core' });
    write(
      root,
      'packages/core/src/errors/codes.ts',
      [
        '/** Fixture codes. */',
        'export const ErrorCodes = {',
        '  // --- Validation (outcome `not_sent`) ---',
        '  /** The amount is | broken; see {@link Money}. */',
        "  BAD_AMOUNT: 'BAD_AMOUNT',",
        '  /**',
        '   * Two',
        '   * lines.',
        '   */',
        "  TWO_LINES: 'TWO_LINES',",
        '} as const;',
        '',
      ].join('\n'),
    );
    write(
      root,
      'packages/webhooks/src/errors/codes.ts',
      "export const WebhookErrorCodes = {\n  /** Hooked. */\n  HOOK: 'HOOK',\n} as const;\n",
    );
    const docs = await generateDocs(root);
    expect(docs.map((d) => d.path)).to.deep.equal([join(root, 'docs/reference/errors.md')]);
    const md = docs[0].content;
    expect(md).to.include(
      'Generated from packages/core/src/errors/codes.ts and packages/webhooks/src/errors/codes.ts by scripts/gendocs.mjs',
    );
    expect(md).to.include('## `@fixture/core`: `ErrorCodes`\n\nFixture codes.\n');
    expect(md).to.include(
      '### Validation (outcome `not_sent`)\n\n| code | meaning |\n|---|---|\n| `BAD_AMOUNT` | The amount is \\| broken; see `Money`. |\n| `TWO_LINES` | Two lines. |\n',
    );
    expect(md).to.include('## `webhooks`: `WebhookErrorCodes`');
    expect(md).to.include('| `HOOK` | Hooked. |');
    expect(md.indexOf('## `@fixture/core`')).to.be.lessThan(md.indexOf('## `webhooks`'));
  });

  it('fails naming the file and line when a code has no doc comment, or the code table is not understood', async () => {
    write(
      root,
      'packages/host/src/HostError.ts',
      "export const HostErrorCodes = {\n  /** Documented. */\n  A: 'A',\n  B: 'B',\n} as const;\n",
    );
    const failure = async () =>
      generateDocs(root).then(
        () => undefined,
        (e: Error) => e.message,
      );
    expect(await failure()).to.equal('gendocs: packages/host/src/HostError.ts:4: code B has no doc comment');
    write(root, 'packages/host/src/HostError.ts', 'export const HostErrorCodes = {\n  /** Spread. */\n  ...Other,\n} as const;\n');
    expect(await failure()).to.match(/^gendocs: packages\/host\/src\/HostError\.ts:3: cannot read an entry of `HostErrorCodes`/);
    write(root, 'packages/host/src/HostError.ts', 'export const Renamed = {};\n');
    expect(await failure()).to.equal('gendocs: packages/host/src/HostError.ts: no `export const HostErrorCodes = {` found');
  });

  it('links a mention of another reference page in an OpenAPI schema description', async () => {
    write(root, 'packages/host/package.json', { name: '@fixture/host', type: 'module' });
    write(
      root,
      'packages/host/dist/src/index.js',
      `export function buildOpenApiDocument() { return ${JSON.stringify({
        openapi: '3.1.0',
        info: { title: 'Fixture API', version: '1.2.3' },
        components: { schemas: { Problem: { type: 'object', description: 'An error; docs/reference/errors.md lists the codes.' } } },
        paths: {},
      })}; }\n`,
    );
    const md = (await generateDocs(root)).find((d) => d.path.endsWith('http-api.md'))!.content;
    expect(md).to.include('An error; [docs/reference/errors.md](errors.md) lists the codes.');
  });

  it('is deterministic: two runs give identical output', async () => {
    write(root, 'packages/host/src/config.schema.json', hostSchema);
    write(root, 'packages/connector-zap/src/config.schema.json', pluginSchema);
    expect(await generateDocs(root)).to.deep.equal(await generateDocs(root));
  });

  it('returns nothing (and does not throw) for a tree with no sources', async () => {
    expect(await generateDocs(root)).to.deep.equal([]);
  });
});
