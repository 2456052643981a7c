// Finds the metric names a PromQL expression reads. Not a PromQL parser: it removes what
// cannot be a metric name (string literals, label matchers, ranges, grouping label lists,
// Grafana variables), then keeps every identifier that is not a function call, an operator
// keyword or part of a number. Every expression it reads is also parsed by promtool (the
// rules directly, the dashboard's through a generated rules file), so a construct this
// misreads would not be valid PromQL in the first place.

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

const GROUPING_LIST = /\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;
const STRING_LITERAL = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const IDENTIFIER = /[A-Za-z_:][A-Za-z0-9_:]*/g;

export function metricNamesIn(expression: string): Set<string> {
  const stripped = expression
    .replace(STRING_LITERAL, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '')
    .replace(GROUPING_LIST, '')
    .replace(/\$\{?[A-Za-z_]\w*\}?/g, '');
  const names = new Set<string>();
  for (const match of stripped.matchAll(IDENTIFIER)) {
    const name = match[0];
    const start = match.index;
    const before = stripped[start - 1] ?? ' ';
    // 1e3, 0x1f, 1.5: the letters belong to a number.
    if (/[0-9.]/.test(before)) continue;
    if (KEYWORDS.has(name.toLowerCase())) continue;
    const after = stripped.slice(start + name.length);
    // A function or aggregation: sum(…), rate(…).
    if (/^\s*\(/.test(after)) continue;
    names.add(name);
  }
  return names;
}

/** The metric of a Grafana `label_values(metric, label)` variable query, if it names one. */
export function metricOfLabelValuesQuery(query: string): string | null {
  const match = /^\s*label_values\(\s*([^,()]+?)\s*,\s*\w+\s*\)\s*$/.exec(query);
  if (match?.[1] === undefined) return null;
  return match[1].replace(/\{.*\}$/, '');
}

/**
 * A dashboard expression made parseable by promtool: Grafana's interval variables become a
 * duration, other variables (used in `=~"$var"` matchers) a regex.
 */
export function withGrafanaVariablesReplaced(expression: string): string {
  return expression
    .replace(/\$\{?__(rate_interval|interval|range)\}?/g, '5m')
    .replace(/\$\{?[A-Za-z_]\w*\}?/g, '.*');
}
