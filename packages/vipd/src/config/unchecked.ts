// Reading a document the schema may have rejected. The checks across keys run even when the
// schema found problems, so that one `vipd check` lists everything; every read here defends
// itself instead of trusting a shape that was not proven.

export type Unchecked = Record<string, unknown>;

export function obj(value: unknown): Unchecked | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Unchecked)
    : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
