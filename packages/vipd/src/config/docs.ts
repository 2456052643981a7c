// Renders docs/configuration.md from the config schema, so the reference cannot drift from
// what the validator accepts. `npm run docs:config` writes it; a test fails when it is stale.

import type { JsonSchema } from './schema.js';
import { fullConfigSchema } from './validate.js';

const HEADER = `# Configuration reference

<!-- Generated from packages/vipd/src/config/schema.ts by \`npm run docs:config\`. Do not edit. -->

vipd reads one YAML file: \`vipd run --config FILE\` runs a node, \`vipd check --config FILE\`
validates it and lists every problem with its path, line and reason (exit status 3 when any).

- **Durations** are strings with a unit: \`100ms\`, \`1.5s\`, \`2m\`, \`1h\`. A bare number is
  rejected so milliseconds are never mistaken for seconds.
- **Relative paths** (key and token files, scripts, tracked files, TLS files) resolve against
  the directory of the config file, not the working directory.
- **Secrets** can come from the environment instead of files: \`VIPD_CLUSTER_KEY\` replaces
  \`cluster.key_file\`, \`VIPD_API_TOKEN\` replaces \`api.token_file\`. Secrets are never logged.
- **Unknown keys are errors**, so a typo never silently falls back to a default.
- A node with no \`groups\` is a **witness**: it votes for the quorum guard and holds no VIPs.
- \`SIGHUP\` reloads the file; groups whose settings did not change keep their state (no
  failover). A file that fails validation is ignored and the old configuration stays.

## Example

\`\`\`yaml
node:
  id: n1
  listen: 10.213.0.1:7410          # heartbeat WebSocket endpoint
cluster:
  key_file: ./cluster.key          # shared heartbeat key
  heartbeat_interval: 100ms
  down_multiplier: 3
  quorum: false
  peers:
    - id: n2
      address: 10.213.0.2:7410
groups:
  - name: web
    interface: eth0
    addresses: [10.213.0.100/24, "fd00:213::100/64"]
    priority: 150
    preempt: true
    preempt_delay: 0s
    track:
      - { tracker: uplink }              # FAULT while eth1 is down
      - { tracker: nginx, weight: -60 }  # priority 150 → 90 while nginx fails
trackers:
  - { name: uplink, type: interface, interface: eth1 }
  - { name: nginx, type: http, url: "http://127.0.0.1/health", fall: 3, rise: 2 }
api:
  listen: 127.0.0.1:7411
  token_file: ./api.token          # bearer token for mutating calls
\`\`\`
`;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function typeOf(schema: JsonSchema): string {
  if (schema['const'] !== undefined) return `\`${JSON.stringify(schema['const'])}\``;
  const type = schema['type'];
  if (type === 'array') {
    const items = (schema['items'] ?? {}) as JsonSchema;
    return items['type'] === 'object' || items['oneOf']
      ? 'list of mappings'
      : `list of ${typeOf(items)}`;
  }
  if (schema['pattern'] !== undefined && schema['durationRange'] !== undefined) return 'duration';
  if (type === 'object') return 'mapping';
  return typeof type === 'string' ? type : 'any';
}

function constraints(schema: JsonSchema): string[] {
  const out: string[] = [];
  const range = schema['durationRange'] as { min: string; max: string } | undefined;
  if (range) out.push(`${range.min} to ${range.max}`);
  const min = schema['minimum'] as number | undefined;
  const max = schema['maximum'] as number | undefined;
  if (min !== undefined && max !== undefined) out.push(`${min} to ${max}`);
  else if (min !== undefined) out.push(`≥ ${min}`);
  else if (max !== undefined) out.push(`≤ ${max}`);
  const en = schema['enum'] as unknown[] | undefined;
  if (en) out.push(`one of ${en.map((v) => `\`${String(v)}\``).join(', ')}`);
  if (typeof schema['maxLength'] === 'number')
    out.push(`at most ${String(schema['maxLength'])} characters`);
  if (typeof schema['minItems'] === 'number' && schema['minItems'] > 0)
    out.push(`at least ${String(schema['minItems'])}`);
  if (typeof schema['maxItems'] === 'number') out.push(`at most ${String(schema['maxItems'])}`);
  const format = schema['format'] as string | undefined;
  if (format) out.push(`format \`${format}\``);
  if (typeof schema['pattern'] === 'string' && schema['durationRange'] === undefined)
    out.push(`pattern \`${schema['pattern']}\``);
  const env = schema['envOverride'] as string | undefined;
  if (env) out.push(`env \`${env}\` overrides`);
  const items = schema['items'] as JsonSchema | undefined;
  if (items && items['type'] !== 'object' && !items['oneOf'])
    out.push(...constraints(items).map((c) => `each: ${c}`));
  return out;
}

function defaultOf(schema: JsonSchema): string {
  const value = schema['default'];
  if (value === undefined) return '';
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return '';
  return `\`${JSON.stringify(value).replace(/^"|"$/g, '')}\``;
}

interface Section {
  readonly path: string;
  readonly schema: JsonSchema;
}

function rows(section: Section, nested: Section[]): string {
  const properties = (section.schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((section.schema['required'] ?? []) as string[]);
  const lines = [
    '| Key | Type | Required | Default | Constraints | Description |',
    '|---|---|---|---|---|---|',
  ];
  for (const [key, child] of Object.entries(properties)) {
    const path = section.path === '' ? key : `${section.path}.${key}`;
    const description = (child['description'] ?? '') as string;
    lines.push(
      `| \`${key}\` | ${typeOf(child)} | ${required.has(key) ? 'yes' : ''} | ${defaultOf(child)} | ${cell(constraints(child).join('; '))} | ${cell(description)} |`,
    );
    if (child['type'] === 'object' && child['properties']) nested.push({ path, schema: child });
    const items = child['items'] as JsonSchema | undefined;
    if (child['type'] === 'array' && items && (items['properties'] || items['oneOf'])) {
      nested.push({ path: `${path}[]`, schema: items });
    }
  }
  return lines.join('\n');
}

function renderSection(section: Section, level: number): string {
  const heading = `${'#'.repeat(level)} \`${section.path}\``;
  const description = (section.schema['description'] ?? '') as string;
  const parts = description === '' ? [heading] : [heading, '', description];
  const variants = section.schema['oneOf'] as JsonSchema[] | undefined;
  const nested: Section[] = [];
  if (variants) {
    const tag = (section.schema['discriminator'] as { propertyName: string }).propertyName;
    parts.push('', `Chosen by \`${tag}\`; each kind takes these keys.`);
    for (const variant of variants) {
      parts.push(
        '',
        `${'#'.repeat(level + 1)} \`${section.path}\` with \`${tag}: ${String(variant['title'])}\``,
        '',
        (variant['description'] ?? '') as string,
        '',
        rows({ path: section.path, schema: variant }, nested),
      );
    }
  } else {
    parts.push('', rows(section, nested));
  }
  for (const child of nested) parts.push('', renderSection(child, 3));
  return parts.join('\n');
}

const FORMATS = `## Value formats

| Format | Accepts |
|---|---|
| duration | a number with a unit: \`ms\`, \`s\`, \`m\`, \`h\` (\`250ms\`, \`1.5s\`, \`2m\`) |
| \`vip\` | IPv4 or IPv6 address with an optional prefix length: \`10.0.0.10/24\`, \`fd00::10/64\`; without one, /32 or /128 |
| \`listen-address\` | \`ip:port\` or \`[ipv6]:port\`; port 0 picks a free port |
| \`peer-address\` | \`host:port\`, \`[ipv6]:port\`; the host may be a DNS name |
| \`interface-name\` | a Linux interface name: 1-15 characters, no \`/\`, \`:\` or spaces, not \`.\` or \`..\` |
| \`http-url\` | an \`http://\` or \`https://\` URL |
| \`webhook-url\` | an \`http://\` or \`https://\` URL without \`user:password@\` |
| \`host-name\` | a DNS name without port or scheme: \`vipd-1.example\` |
| name pattern | letters, digits, \`_\`, \`.\`, \`-\`; starts with a letter or digit; at most 63 characters |
`;

export function renderConfigurationMarkdown(): string {
  const schema = fullConfigSchema();
  const properties = schema['properties'] as Record<string, JsonSchema>;
  const required = new Set((schema['required'] ?? []) as string[]);
  const sections = Object.entries(properties).map(([key, child]) => {
    const isList = child['type'] === 'array';
    const body = isList ? ((child['items'] ?? {}) as JsonSchema) : child;
    const rendered = renderSection({ path: isList ? `${key}[]` : key, schema: body }, 2);
    const notes = [
      isList ? `A list. ${(child['description'] ?? '') as string}` : '',
      required.has(key) ? '' : '_Optional._',
    ].filter((line) => line !== '');
    // Put the notes right under the section heading.
    const newline = rendered.indexOf('\n');
    if (notes.length === 0) return rendered;
    return `${rendered.slice(0, newline)}\n\n${notes.join(' ')}${rendered.slice(newline)}`;
  });
  return `${HEADER}\n${sections.join('\n\n')}\n\n${FORMATS}`;
}
