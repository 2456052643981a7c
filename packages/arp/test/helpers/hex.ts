// Byte fixtures written one wire field per line: `hex` drops "#" comments and whitespace.

export function hex(strings: TemplateStringsArray, ...values: unknown[]): Buffer {
  const text = strings.reduce(
    (all, part, i) => all + part + (i < values.length ? String(values[i]) : ''),
    '',
  );
  const digits = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(digits))
    throw new Error(`fixture is not whole hex bytes: ${digits}`);
  return Buffer.from(digits, 'hex');
}

/** `n` zero bytes as fixture text (Ethernet padding). */
export function zeros(n: number): string {
  return '00 '.repeat(n);
}
