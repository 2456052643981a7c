// docs/api.md from the OpenAPI document vipd serves at /openapi.json: an endpoint table, one
// section per route (parameters, body, answers with their fields), and the shared schemas.
// Pure: document in, markdown out, so the test can compare it with the committed file.

export interface JsonSchema {
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly format?: string;
  readonly nullable?: boolean;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly $ref?: string;
}

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly description?: string;
  readonly schema?: JsonSchema;
}

interface Operation {
  readonly summary?: string;
  readonly description?: string;
  readonly parameters?: readonly Parameter[];
  readonly security?: readonly Record<string, readonly string[]>[];
  readonly requestBody?: {
    readonly required?: boolean;
    readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>>;
  };
  readonly responses?: Readonly<
    Record<
      string,
      {
        readonly description?: string;
        readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>>;
      }
    >
  >;
}

export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: {
    readonly title: string;
    readonly version: string;
    readonly description?: string;
  };
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, JsonSchema>> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** `/v1/groups/{name}/takeover` + post → `post-v1groupsnametakeover` (GitHub's heading slug). */
function anchorOf(method: string, path: string): string {
  return `${method} ${path}`
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
}

/** A description and the schema's constraints as one sentence or two. */
function meaning(description: string | undefined, constraints: string): string {
  const text = (description ?? '').trim();
  if (constraints === '') return text;
  if (text === '') return constraints;
  return `${text}${/[.!?]$/.test(text) ? '' : '.'} ${constraints[0]?.toUpperCase() ?? ''}${constraints.slice(1)}.`;
}

function code(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

class Renderer {
  readonly #schemas: Readonly<Record<string, JsonSchema>>;

  constructor(document: OpenApiDocument) {
    this.#schemas = document.components?.schemas ?? {};
  }

  /** The title of a referenced shared schema (Group, Error), or the reference itself. */
  refTitle(ref: string): string {
    const name = ref.replace('#/components/schemas/', '');
    return this.#schemas[name]?.title ?? name;
  }

  refLink(ref: string): string {
    const title = this.refTitle(ref);
    return `[${title}](#${title.toLowerCase()})`;
  }

  typeOf(schema: JsonSchema): string {
    if (schema.$ref !== undefined) return this.refLink(schema.$ref);
    let text: string;
    if (schema.const !== undefined) text = code(schema.const);
    else if (schema.type === 'array')
      text = `list of ${schema.items === undefined ? 'any' : this.typeOf(schema.items)}`;
    else if (schema.type === 'object' && typeof schema.additionalProperties === 'object')
      text = 'map';
    else text = schema.type ?? 'any';
    if (schema.format !== undefined) text += ` (${schema.format})`;
    if (schema.nullable === true) text += ' or null';
    return text;
  }

  constraints(schema: JsonSchema): string {
    const parts: string[] = [];
    if (schema.enum !== undefined) parts.push(`one of ${schema.enum.map(code).join(', ')}`);
    if (schema.minimum !== undefined && schema.maximum !== undefined)
      parts.push(`${schema.minimum} to ${schema.maximum}`);
    else if (schema.minimum !== undefined) parts.push(`at least ${schema.minimum}`);
    else if (schema.maximum !== undefined) parts.push(`at most ${schema.maximum}`);
    if (schema.minLength !== undefined || schema.maxLength !== undefined)
      parts.push(`length ${schema.minLength ?? 0} to ${schema.maxLength ?? '∞'}`);
    if (schema.pattern !== undefined) parts.push(`pattern ${code(schema.pattern)}`);
    if (schema.default !== undefined) parts.push(`default ${code(schema.default)}`);
    return parts.join('; ');
  }

  /** Rows of a field table: every property, nested objects and lists of objects flattened. */
  fieldRows(schema: JsonSchema, prefix = ''): string[] {
    const rows: string[] = [];
    const required = new Set(schema.required ?? []);
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const path = `${prefix}${name}`;
      rows.push(
        `| \`${path}\` | ${cell(this.typeOf(property))} | ${required.has(name) ? 'yes' : ''} | ${cell(meaning(property.description, this.constraints(property)))} |`,
      );
      rows.push(...this.nestedRows(property, path));
    }
    return rows;
  }

  nestedRows(schema: JsonSchema, path: string): string[] {
    if (schema.$ref !== undefined) return [];
    if (schema.type === 'object' && schema.properties !== undefined)
      return this.fieldRows(schema, `${path}.`);
    if (schema.type === 'object' && typeof schema.additionalProperties === 'object')
      return this.fieldRows(schema.additionalProperties, `${path}.<key>.`);
    if (schema.type === 'array' && schema.items !== undefined)
      return this.nestedRows(schema.items, `${path}[]`);
    return [];
  }

  fieldTable(schema: JsonSchema): string[] {
    if (schema.$ref !== undefined) return [`${this.refLink(schema.$ref)}.`, ''];
    if (schema.type !== 'object' || schema.properties === undefined)
      return [
        `${this.typeOf(schema)}${schema.description === undefined ? '' : `: ${schema.description}`}`,
        '',
      ];
    return [
      '| Field | Type | Always present | Meaning |',
      '|---|---|---|---|',
      ...this.fieldRows(schema),
      '',
    ];
  }

  operation(method: string, path: string, op: Operation): string[] {
    const out = [`### ${method.toUpperCase()} ${path}`, ''];
    if (op.summary !== undefined) out.push(`${op.summary}.`, '');
    if (op.description !== undefined) out.push(op.description, '');
    out.push(
      (op.security ?? []).length > 0
        ? 'Needs `Authorization: Bearer <token>`.'
        : 'No authentication.',
      '',
    );
    const parameters = op.parameters ?? [];
    if (parameters.length > 0) {
      out.push('| Parameter | In | Type | Required | Meaning |', '|---|---|---|---|---|');
      for (const p of [...parameters].sort((a, b) => a.in.localeCompare(b.in) * -1)) {
        const schema = p.schema ?? {};
        out.push(
          `| \`${p.name}\` | ${p.in} | ${cell(this.typeOf(schema))} | ${p.required === true ? 'yes' : ''} | ${cell(
            meaning(p.description, this.constraints(schema)),
          )} |`,
        );
      }
      out.push('');
    }
    const body = op.requestBody?.content?.['application/json']?.schema;
    if (body !== undefined)
      out.push('Request body (`application/json`):', '', ...this.fieldTable(body));
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      const [type, content] = Object.entries(response.content ?? {})[0] ?? [];
      const schema = content?.schema;
      if (status.startsWith('2')) {
        out.push(`**${status}**${type === undefined ? '' : ` (\`${type}\`)`}:`, '');
        if (schema !== undefined) out.push(...this.fieldTable(schema));
      }
    }
    const errors = Object.keys(op.responses ?? {}).filter((s) => !s.startsWith('2'));
    if (errors.length > 0)
      out.push(
        `Errors: ${errors.map((s) => `**${s}**`).join(', ')}, each an [Error](#error) body.`,
        '',
      );
    return out;
  }

  schemaSection(schema: JsonSchema): string[] {
    const out = [`### ${schema.title ?? '?'}`, ''];
    if (schema.description !== undefined) out.push(schema.description, '');
    return [...out, ...this.fieldTable(schema)];
  }
}

export function renderApiMarkdown(document: OpenApiDocument): string {
  const renderer = new Renderer(document);
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    METHODS.filter((m) => methods[m] !== undefined).map((method) => ({
      method,
      path,
      op: methods[method] as Operation,
    })),
  );
  const lines = [
    '# REST API',
    '',
    '<!-- Generated from the OpenAPI document (GET /openapi.json) by `npm run docs:api`. Do not edit. -->',
    '',
    `${document.info.title} ${document.info.version}, OpenAPI ${document.openapi}. ${document.info.description ?? ''}`.trim(),
    '',
    'The API listens on `api.listen` (default `127.0.0.1:7411`); `vipctl` is its command-line',
    'client. Read-only routes need no token. Error codes and what to do about each are in',
    '[errors.md](errors.md). The machine-readable document is served at `GET /openapi.json`.',
    '',
    '```sh',
    'curl -s http://127.0.0.1:7411/v1/status',
    'curl -s -X POST -H "Authorization: Bearer $(cat /etc/vipd/api.token)" \\',
    '     http://127.0.0.1:7411/v1/groups/web/takeover',
    '```',
    '',
    '## Endpoints',
    '',
    '| Method | Path | Token | What it does |',
    '|---|---|---|---|',
    ...operations.map(
      ({ method, path, op }) =>
        `| ${method.toUpperCase()} | [\`${path}\`](#${anchorOf(method, path)}) | ${(op.security ?? []).length > 0 ? 'yes' : ''} | ${cell(op.summary ?? '')} |`,
    ),
    '',
    '## Routes',
    '',
    ...operations.flatMap(({ method, path, op }) => renderer.operation(method, path, op)),
    '## Schemas',
    '',
    ...Object.values(document.components?.schemas ?? {}).flatMap((s) => renderer.schemaSection(s)),
  ];
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
