// Renders the reference documentation from its sources of truth:
//   docs/reference/config.md   ← packages/host/src/config.schema.json
//   docs/reference/plugins.md  ← packages/connector-*/src/config.schema.json
//   docs/reference/http-api.md ← the host's OpenAPI document (buildOpenApiDocument() of its built module)
//   docs/reference/errors.md   ← the error code tables (`export const …Codes = { … } as const`) listed in ERROR_TABLES
// `generateDocs(root)` returns [{ path, content }] and writes nothing;
// scripts/codegen.mjs writes the files (`npm run codegen`) or fails when they
// are stale (`--check`, run by `npm test`). Output is deterministic: no dates,
// schema order kept, plugins sorted by folder name. A missing source (host
// schema not written yet, host not built) skips its file instead of failing.
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const BANNER = (source) =>
  `<!-- Generated from ${source} by scripts/gendocs.mjs. Do not edit: change the source and run \`npm run codegen\`. -->\n`;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const code = (v) => '`' + String(v).replace(/`/g, "'") + '`';
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const json = (v) => JSON.stringify(v);

/** Follows a local `$ref` (`#/definitions/x`, `#/$defs/x`) inside `rootSchema`. */
function deref(schema, rootSchema, seen = new Set()) {
  if (!isObject(schema) || typeof schema.$ref !== 'string') return schema;
  const ref = schema.$ref;
  if (!ref.startsWith('#/') || seen.has(ref)) return schema;
  seen.add(ref);
  let target = rootSchema;
  for (const part of ref.slice(2).split('/')) target = isObject(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  if (!isObject(target)) return schema;
  const { $ref: _ignored, ...rest } = schema;
  return deref({ ...target, ...rest }, rootSchema, seen);
}

function isSecret(s) {
  return s['x-secret'] === true || s.writeOnly === true;
}

function constraints(s) {
  const c = [];
  if (s.format) c.push(s.format === 'uri' ? 'URI' : s.format);
  if (s.minimum !== undefined && s.maximum !== undefined) c.push(`${s.minimum}–${s.maximum}`);
  else if (s.minimum !== undefined) c.push(`≥ ${s.minimum}`);
  else if (s.maximum !== undefined) c.push(`≤ ${s.maximum}`);
  if (s.exclusiveMinimum !== undefined) c.push(`> ${s.exclusiveMinimum}`);
  if (s.minLength !== undefined && s.maxLength !== undefined) c.push(`length ${s.minLength}–${s.maxLength}`);
  else if (s.minLength !== undefined) c.push(`length ≥ ${s.minLength}`);
  else if (s.maxLength !== undefined) c.push(`length ≤ ${s.maxLength}`);
  if (s.minItems !== undefined) c.push(`≥ ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
  if (s.pattern) c.push(`pattern ${code(s.pattern)}`);
  return c;
}

function typeOf(s, rootSchema) {
  s = deref(s, rootSchema);
  if (s.const !== undefined) return code(json(s.const));
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => code(json(v))).join(', ')}`;
  let t = Array.isArray(s.type) ? s.type.join(' or ') : s.type;
  if (!t && (s.oneOf || s.anyOf)) t = 'one of the variants below';
  if (!t && isObject(s.properties)) t = 'object';
  if (!t) t = 'any';
  if (t === 'array' && isObject(s.items)) {
    const item = deref(s.items, rootSchema);
    const it = item.type === 'object' || isObject(item.properties) ? 'objects' : `${typeOf(item, rootSchema)}`;
    t = `array of ${it}`;
  } else if (t === 'object' && isObject(s.additionalProperties) && !isObject(s.properties)) {
    t = `map of ${typeOf(s.additionalProperties, rootSchema)}`;
  }
  const c = constraints(s);
  return c.length ? `${t} (${c.join(', ')})` : t;
}

function exampleOf(s, path, rootSchema, envPrefix) {
  s = deref(s, rootSchema);
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (isSecret(s) || (s.type === 'array' && isObject(s.items) && isSecret(deref(s.items, rootSchema)))) {
    const v =
      '${' +
      envPrefix +
      path
        .replace(/\[\]/g, '')
        .replace(/[^A-Za-z0-9]+/g, '_')
        .replace(/([a-z])([A-Z])/g, '$1_$2')
        .toUpperCase() +
      '}';
    return s.type === 'array' ? [v] : v;
  }
  if (s.default !== undefined && !(isObject(s.default) && Object.keys(s.default).length === 0)) return s.default;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  // A default the schema states only in words ("Defaults to 32."): the code fills it in, so it is a real value.
  const stated = typeof s.description === 'string' ? /Defaults to (-?\d+(?:\.\d+)?|true|false)\.?(?:\s|$)/.exec(s.description) : null;
  if (stated && ['integer', 'number', 'boolean'].includes(s.type)) return JSON.parse(stated[1]);
  // Made-up numbers would read like recommendations; only URIs get a placeholder.
  if (s.type === 'string' && s.format === 'uri') return 'https://provider.example/v1';
  return undefined;
}

/**
 * Flattens a schema into rows: one per property, with its JSON path
 * (`a.b`, `list[].c`, `map.<key>`), following local $refs, array items,
 * maps and oneOf/anyOf variants.
 */
function rows(schema, rootSchema, prefix = '', note = '', out = [], depth = 0) {
  schema = deref(schema, rootSchema);
  if (depth > 12) return out;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const props = isObject(schema.properties) ? schema.properties : {};
  for (const [key, raw] of Object.entries(props)) {
    const s = deref(raw, rootSchema);
    const path = prefix ? `${prefix}.${key}` : key;
    out.push({ path, s, required: required.has(key), note });
    descend(s, rootSchema, path, out, depth);
  }
  return out;
}

function variantLabel(v, rootSchema) {
  v = deref(v, rootSchema);
  for (const [k, p] of Object.entries(isObject(v.properties) ? v.properties : {})) {
    const d = deref(p, rootSchema);
    if (d.const !== undefined) return `${k} = ${json(d.const)}`;
    if (Array.isArray(d.enum) && d.enum.length === 1) return `${k} = ${json(d.enum[0])}`;
  }
  return v.title ?? null;
}

function descend(s, rootSchema, path, out, depth) {
  if (isObject(s.properties)) rows(s, rootSchema, path, '', out, depth + 1);
  if (s.type === 'array' && isObject(s.items)) {
    const item = deref(s.items, rootSchema);
    if (isObject(item.properties) || item.oneOf || item.anyOf) descend(item, rootSchema, `${path}[]`, out, depth + 1);
  }
  if (isObject(s.additionalProperties)) {
    const v = deref(s.additionalProperties, rootSchema);
    if (isObject(v.properties)) rows(v, rootSchema, `${path}.<key>`, '', out, depth + 1);
  }
  for (const kw of ['oneOf', 'anyOf']) {
    if (!Array.isArray(s[kw])) continue;
    s[kw].forEach((variant, i) => {
      const label = variantLabel(variant, rootSchema) ?? `variant ${i + 1}`;
      const sub = rows(variant, rootSchema, path, `when ${label}`, [], depth + 1);
      out.push(...sub.map((r) => (r.note ? r : { ...r, note: `when ${label}` })));
    });
  }
}

function describe(s, note) {
  const parts = [];
  if (note) parts.push(`*(${note})*`);
  if (s.description) parts.push(s.description);
  else if (s.title) parts.push(s.title);
  return parts.join(' ');
}

/** A markdown table of every property of `schema`. */
export function renderSchemaTable(schema, envPrefix = '') {
  const lines = ['| Path | Type | Required | Default | Secret | Description | Example |', '|---|---|---|---|---|---|---|'];
  for (const { path, s, required, note } of rows(schema, schema)) {
    const ex = exampleOf(s, path, schema, envPrefix);
    lines.push(
      '| ' +
        [
          code(path),
          typeOf(s, schema),
          required ? 'yes' : 'no',
          s.default !== undefined ? code(json(s.default)) : '',
          isSecret(s) || (s.type === 'array' && isObject(s.items) && isSecret(deref(s.items, schema))) ? '**yes**' : 'no',
          describe(s, note),
          ex !== undefined ? code(json(ex)) : '',
        ]
          .map(cell)
          .join(' | ') +
        ' |',
    );
  }
  return lines.join('\n') + '\n';
}

const LEGEND = [
  '- **Path**: where the field sits in the JSON (`a.b`; `list[]` is every item of an array; `map.<key>` every entry of a map).',
  '- **Required**: required when its parent object is present.',
  '- **Secret**: marked `"x-secret": true` or `writeOnly` in the schema; redacted (`[redacted]`) wherever config is printed or logged. Pass secrets through `${ENV_VAR}` interpolation rather than writing them in the file.',
  '- Every string may use `${VAR}` / `${VAR:-default}` interpolation from the environment (`$${` is a literal `${`).',
].join('\n');

function renderHostConfig(schema, source) {
  return [
    BANNER(source),
    '# Host configuration reference',
    '',
    schema.description ?? '',
    '',
    "Validate a file with `relaypoint config validate --config FILE` (one `path: message` line per problem, exit 2) and print it with secrets redacted with `relaypoint config print --config FILE`. Each entry of `connectors[]` carries its plugin's own `config`, documented in [plugins.md](plugins.md).",
    '',
    LEGEND,
    '',
    ...(Array.isArray(schema.examples) && schema.examples.length
      ? ['## Example', '', '```json', JSON.stringify(schema.examples[0], null, 2), '```', '']
      : []),
    '## Fields',
    '',
    renderSchemaTable(schema),
  ].join('\n');
}

function renderPlugins(plugins) {
  const out = [
    BANNER('packages/connector-*/src/config.schema.json'),
    '# Connector plugin configuration reference',
    '',
    "The `config` object of a `connectors[]` entry in the [host config](config.md) is validated against the plugin's own schema (`src/config.schema.json` in the plugin package). Errors name the full path, e.g. `connectors[1].config.baseUrl: must be a URI`.",
    '',
    LEGEND,
    '',
  ];
  for (const p of plugins) {
    const envPrefix = p.id.toUpperCase().replace(/[^A-Z0-9]+/g, '_') + '_';
    const config = {};
    for (const key of Array.isArray(p.schema.required) ? p.schema.required : []) {
      const prop = isObject(p.schema.properties) ? p.schema.properties[key] : undefined;
      config[key] = (isObject(prop) ? exampleOf(prop, key, p.schema, envPrefix) : undefined) ?? '<value>';
    }
    const entry = { name: p.id, plugin: p.packageName, config };
    out.push(
      `## ${p.packageName} (plugin id \`${p.id}\`)`,
      '',
      p.schema.description ?? '',
      '',
      `Source: \`${p.source}\`.`,
      '',
      'A `connectors[]` entry with the required fields:',
      '',
      '```json',
      JSON.stringify(entry, null, 2),
      '```',
      '',
      renderSchemaTable(p.schema, envPrefix),
    );
  }
  return out.join('\n');
}

// ---- Error codes ----

/**
 * The code tables documented in errors.md, in page order. Each `file` holds
 * `export const <name> = { /** meaning *\/ CODE: 'CODE', … } as const;`.
 * `seenBy` says who meets the codes; the meanings come from the source.
 */
export const ERROR_TABLES = [
  {
    file: 'packages/host/src/HostError.ts',
    name: 'HostErrorCodes',
    seenBy:
      "API clients: the `code` of a problem document (`application/problem+json`) answered by the host's HTTP API. The host also answers with core codes (`INVALID_*` when it refuses issuance parameters) and webhook codes, below; a `PROVIDER_REJECTED` or `PROVIDER_NOT_SENT` answer carries the failed issuance's code as `reason` (often a core code such as `PROVIDER_UNREACHABLE`), and a `PROVIDER_REJECTED` answer's `providerCode` falls back to it when the provider gave no code of its own.",
  },
  {
    file: 'packages/core/src/errors/codes.ts',
    name: 'ErrorCodes',
    seenBy:
      "Plugin authors: a connector throws them on a `ConnectorError` together with its outcome (`not_sent`, `rejected`, `unknown`), and core's resilience pipeline adds its own (`CIRCUIT_OPEN`, `BULKHEAD_FULL`, `OUTCOME_UNKNOWN`…). Programs that load plugins or config through `@relaypoint/core` branch on the plugin and config codes. API clients see them in an issuance's `error.code`, and as the `code` of a problem document when issuance parameters are refused (`INVALID_*`).",
  },
  {
    file: 'packages/webhooks/src/errors/codes.ts',
    name: 'WebhookErrorCodes',
    seenBy:
      "Programs that use `@relaypoint/webhooks` directly catch them. Through the host's HTTP API, API clients receive them as the `code` of a problem document: `EVENT_INVALID` from `POST /v1/events`, `WEBHOOK_*` from the `/v1/webhooks` routes.",
  },
  {
    file: 'packages/create-connector/src/ScaffoldError.ts',
    name: 'ScaffoldErrorCodes',
    seenBy:
      'People scaffolding a plugin: `scaffoldConnector()` throws a `ScaffoldError` with the code before writing anything; `create-relaypoint-connector` and `relaypoint new connector` print its message.',
  },
];

/** The text of a `/** … *\/` comment: leading `*`s stripped, lines joined, `{@link X}` as `X` in code. */
function docText(comment) {
  return comment
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split(/\r?\n/)
    .map((l) => l.replace(/^\s*\*(?!\/) ?/, '').trim())
    .filter(Boolean)
    .join(' ')
    .replace(/\{@link\s+([^}\s|]+)(?:[\s|][^}]*)?\}/g, '`$1`')
    .trim();
}

/**
 * Reads `export const <name> = { … } as const;` from the TypeScript source
 * `text` with the TypeScript compiler's parser: every `/** meaning *\/ KEY: 'VALUE',`
 * entry, the `// --- group ---` comments that head a run of entries, and the
 * doc comment of the table itself. Throws, naming `file` and the line, on an
 * entry without a doc comment or anything else it does not understand.
 */
export function parseCodeTable(text, name, file) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const fail = (why, node) => {
    const line = node === undefined ? '' : `:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
    throw new Error(`gendocs: ${file}${line}: ${why}`);
  };
  const docs = (node) =>
    ts
      .getJSDocCommentsAndTags(node)
      .filter(ts.isJSDoc)
      .map((d) => docText(d.getText(sf)));
  const statement = sf.statements.find(
    (st) => ts.isVariableStatement(st) && st.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name),
  );
  if (!statement) fail(`no \`export const ${name} = {\` found`);
  const decl = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === name);
  const init = decl.initializer;
  if (!init || !ts.isAsExpression(init) || init.type.getText(sf) !== 'const' || !ts.isObjectLiteralExpression(init.expression)) {
    fail(`\`${name}\` must be an object literal ending with \`} as const\``, decl);
  }
  const intro = docs(statement).at(-1) ?? '';
  const entries = [];
  let group = '';
  for (const prop of init.expression.properties) {
    for (const r of ts.getLeadingCommentRanges(text, prop.getFullStart()) ?? []) {
      const heading = /^\/\/\s*-{2,}\s*(.*?)\s*-{2,}\s*$/.exec(text.slice(r.pos, r.end));
      if (heading) group = heading[1];
    }
    if (!ts.isPropertyAssignment(prop) || !ts.isStringLiteral(prop.initializer)) {
      fail(
        `cannot read an entry of \`${name}\` here (expected \`/** meaning */ CODE: 'CODE',\`): ${JSON.stringify(prop.getText(sf).slice(0, 40))}`,
        prop,
      );
    }
    const key = prop.name.getText(sf);
    const code = prop.initializer.text;
    const meaning = docs(prop);
    if (meaning.length === 0 || !meaning[0]) fail(`code ${key} has no doc comment`, prop);
    if (meaning.length > 1) fail(`code ${key} has two doc comments`, prop);
    if (entries.some((e) => e.code === code)) fail(`code ${code} appears twice`, prop);
    entries.push({ key, code, meaning: meaning[0], group });
  }
  if (!entries.length) fail(`\`${name}\` has no codes`, decl);
  return { intro, entries };
}

function renderErrors(tables) {
  const sources = tables.map((t) => t.file);
  const list = sources.length > 1 ? `${sources.slice(0, -1).join(', ')} and ${sources[sources.length - 1]}` : sources[0];
  const out = [
    BANNER(list),
    '# Error code reference',
    '',
    'Every error Relaypoint reports carries a stable `code`: the `code` member of an HTTP API problem document (`application/problem+json`), and the `code` property of every error the packages throw (`RelaypointError` and its subclasses, such as `ConnectorError`). Branch on the code, never on the message text: a code, once published, keeps its meaning.',
    '',
    'Each table below is read from a code table in the source; the meaning of a code is its doc comment there. The host sets the HTTP status of a problem document where it raises the error; the [HTTP API reference](http-api.md) lists the statuses of each operation.',
    '',
  ];
  for (const t of tables) {
    out.push(`## ${t.packageName}: ${code(t.name)}`, '');
    if (t.intro) out.push(t.intro, '');
    out.push(`**Who sees them.** ${t.seenBy}`, '', `Source: \`${t.file}\`.`, '');
    let group;
    for (const e of t.entries) {
      if (e.group !== group) {
        if (group !== undefined) out.push('');
        group = e.group;
        if (group) out.push(`### ${group}`, '');
        out.push('| code | meaning |', '|---|---|');
      }
      out.push(`| ${cell(code(e.code))} | ${cell(e.meaning)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

function loadErrorTables(root) {
  const tables = [];
  for (const t of ERROR_TABLES) {
    const path = join(root, ...t.file.split('/'));
    if (!existsSync(path)) continue;
    const pkgJsonPath = join(root, ...t.file.split('/').slice(0, 2), 'package.json');
    const pkg = existsSync(pkgJsonPath) ? JSON.parse(readFileSync(pkgJsonPath, 'utf8')) : {};
    tables.push({
      ...t,
      packageName: code(pkg.name ?? t.file.split('/')[1]),
      ...parseCodeTable(readFileSync(path, 'utf8'), t.name, t.file),
    });
  }
  return tables;
}

// ---- OpenAPI ----

function refName(ref) {
  return typeof ref === 'string' ? ref.split('/').pop() : undefined;
}

function schemaSummary(s, depth = 0) {
  if (!isObject(s)) return '';
  if (s.$ref) return `[${refName(s.$ref)}](#${anchor(refName(s.$ref))})`;
  if (s.const !== undefined) return code(json(s.const));
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => code(json(v))).join(', ')}`;
  if (s.type === 'array' && isObject(s.items)) return `array of ${schemaSummary(s.items, depth + 1)}`;
  for (const kw of ['oneOf', 'anyOf']) if (Array.isArray(s[kw])) return s[kw].map((v) => schemaSummary(v, depth + 1)).join(' or ');
  if (isObject(s.properties) && depth < 2) {
    const required = new Set(Array.isArray(s.required) ? s.required : []);
    return `object { ${Object.entries(s.properties)
      .map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${schemaSummary(v, depth + 1)}`)
      .join(', ')} }`;
  }
  const c = constraints(s);
  const t = s.type ? (Array.isArray(s.type) ? s.type.join(' or ') : String(s.type)) : 'object';
  return c.length ? `${t} (${c.join(', ')})` : t;
}

/** Turns a mention of another reference page (`docs/reference/errors.md`) in a description into a relative link. */
function linkReferences(text) {
  return String(text).replace(/(^|[\s(])docs\/reference\/([a-z0-9-]+\.md)\b/g, '$1[docs/reference/$2]($2)');
}

function anchor(name) {
  return `schema-${String(name)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')}`;
}

/** Markdown of an OpenAPI 3.x document: every operation, then the component schemas. */
export function renderOpenApi(doc) {
  const info = isObject(doc.info) ? doc.info : {};
  const out = [
    BANNER("the host's OpenAPI document (`buildOpenApiDocument()`, served at `GET /openapi.json`)"),
    `# HTTP API reference${info.title ? ` — ${info.title}` : ''}`,
    '',
    `OpenAPI ${doc.openapi ?? ''}${info.version ? `, API version ${code(info.version)}` : ''}. A running host serves the same document at \`GET /openapi.json\`.`,
    '',
  ];
  if (info.description) out.push(linkReferences(info.description), '');
  const schemes = isObject(doc.components?.securitySchemes) ? doc.components.securitySchemes : {};
  if (Object.keys(schemes).length) {
    out.push('## Authentication', '');
    for (const [name, s] of Object.entries(schemes)) {
      out.push(
        `- ${code(name)}: ${s.type}${s.scheme ? ` (${s.scheme})` : ''}${s.in ? ` in ${s.in} ${code(s.name)}` : ''}${s.description ? ` — ${s.description}` : ''}`,
      );
    }
    out.push('');
  }
  out.push('## Operations', '');
  const paths = isObject(doc.paths) ? doc.paths : {};
  const methods = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];
  for (const [p, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const m of methods) {
      const op = item[m];
      if (!isObject(op)) continue;
      out.push(`### ${m.toUpperCase()} ${p}`, '');
      if (op.summary) out.push(`**${op.summary}**`, '');
      if (op.description) out.push(linkReferences(op.description), '');
      if (op.operationId) out.push(`Operation id: ${code(op.operationId)}.`, '');
      const security = op.security ?? doc.security;
      if (Array.isArray(security)) {
        const names = security.flatMap((s) => Object.keys(s));
        out.push(names.length ? `Auth: ${names.map(code).join(' or ')}.` : 'Auth: none.', '');
      }
      const params = [...(Array.isArray(item.parameters) ? item.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])];
      if (params.length) {
        out.push('| Parameter | In | Required | Type | Description |', '|---|---|---|---|---|');
        for (const prm of params) {
          out.push(
            `| ${cell(code(prm.name))} | ${cell(prm.in)} | ${prm.required ? 'yes' : 'no'} | ${cell(schemaSummary(prm.schema))} | ${cell(prm.description ?? prm.schema?.description ?? '')} |`,
          );
        }
        out.push('');
      }
      if (isObject(op.requestBody)) {
        const content = isObject(op.requestBody.content) ? op.requestBody.content : {};
        for (const [type, media] of Object.entries(content)) {
          out.push(`Request body (${code(type)}${op.requestBody.required ? ', required' : ''}): ${schemaSummary(media.schema)}`, '');
          if (isObject(media.schema) && !media.schema.$ref) out.push('```json', JSON.stringify(media.schema, null, 2), '```', '');
        }
      }
      const responses = isObject(op.responses) ? op.responses : {};
      if (Object.keys(responses).length) {
        out.push('| Status | Description | Body |', '|---|---|---|');
        for (const [status, r] of Object.entries(responses)) {
          const content = isObject(r.content) ? r.content : {};
          const bodies = Object.entries(content).map(([t, media]) => `${code(t)} ${schemaSummary(media.schema)}`);
          out.push(`| ${status} | ${cell(r.description ?? '')} | ${cell(bodies.join('; '))} |`);
        }
        out.push('');
      }
    }
  }
  const schemas = isObject(doc.components?.schemas) ? doc.components.schemas : {};
  if (Object.keys(schemas).length) {
    out.push('## Schemas', '');
    for (const [name, s] of Object.entries(schemas)) {
      out.push(`<a id="${anchor(name)}"></a>`, '', `### ${name}`, '');
      if (isObject(s) && s.description) out.push(linkReferences(s.description), '');
      out.push('```json', JSON.stringify(s, null, 2), '```', '');
    }
  }
  return out.join('\n');
}

async function loadOpenApi(root) {
  const entry = join(root, 'packages', 'host', 'dist', 'src', 'index.js');
  if (!existsSync(entry)) return undefined;
  let mod;
  try {
    mod = await import(pathToFileURL(entry).href);
  } catch (e) {
    // A host that does not build or load yet must not break the check of every other generated file.
    process.stderr.write(`gendocs: skipping http-api.md: cannot load ${entry}: ${e.message}\n`);
    return undefined;
  }
  if (typeof mod.buildOpenApiDocument !== 'function') return undefined;
  return await mod.buildOpenApiDocument();
}

/**
 * Renders the reference docs under `root`. Returns `[{ path, content }]`
 * with absolute paths; writes nothing (it creates `docs/reference/` so the
 * caller can write into it).
 */
export async function generateDocs(root) {
  const refDir = join(root, 'docs', 'reference');
  const out = [];
  const hostSchema = join(root, 'packages', 'host', 'src', 'config.schema.json');
  const hostSchemaAlt = join(root, 'packages', 'host', 'src', 'config', 'config.schema.json');
  const hostPath = existsSync(hostSchema) ? hostSchema : existsSync(hostSchemaAlt) ? hostSchemaAlt : undefined;
  if (hostPath) {
    const schema = JSON.parse(readFileSync(hostPath, 'utf8'));
    out.push({ path: join(refDir, 'config.md'), content: renderHostConfig(schema, relative(root, hostPath).split(sep).join('/')) });
  }
  const pkgsDir = join(root, 'packages');
  const plugins = [];
  for (const d of existsSync(pkgsDir) ? readdirSync(pkgsDir).sort() : []) {
    if (!d.startsWith('connector-')) continue;
    const schemaPath = join(pkgsDir, d, 'src', 'config.schema.json');
    if (!existsSync(schemaPath)) continue;
    const pkgJsonPath = join(pkgsDir, d, 'package.json');
    const pkg = existsSync(pkgJsonPath) ? JSON.parse(readFileSync(pkgJsonPath, 'utf8')) : {};
    plugins.push({
      packageName: pkg.name ?? d,
      id: pkg.relaypoint?.id ?? d.replace(/^connector-/, ''),
      source: `packages/${d}/src/config.schema.json`,
      schema: JSON.parse(readFileSync(schemaPath, 'utf8')),
    });
  }
  if (plugins.length) out.push({ path: join(refDir, 'plugins.md'), content: renderPlugins(plugins) });
  const openapi = await loadOpenApi(root);
  if (isObject(openapi)) out.push({ path: join(refDir, 'http-api.md'), content: renderOpenApi(openapi) });
  const errorTables = loadErrorTables(root);
  if (errorTables.length) out.push({ path: join(refDir, 'errors.md'), content: renderErrors(errorTables) });
  if (out.length) mkdirSync(refDir, { recursive: true });
  return out;
}
