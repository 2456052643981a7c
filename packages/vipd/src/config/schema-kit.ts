// What config/schema.ts and the real-server section build their TypeBox schemas with: the
// plain JSON Schema view of a schema, and the two spellings TypeBox has no builder for.

import Type, { type TSchema } from 'typebox';

export interface JsonSchema {
  readonly [keyword: string]: unknown;
}

/**
 * A TypeBox schema read as the plain JSON Schema object it is (for the docs generator and for
 * embedding); TypeBox's interfaces have no index signature, so TypeScript needs telling.
 */
export function asJsonSchema(schema: TSchema): JsonSchema {
  return schema as unknown as JsonSchema;
}

/**
 * A key the file may leave out because the schema has a default for it. Ajv fills the default
 * in before anything reads the document, so in the validated document's type the key is always
 * there: optional for the validator (not in `required`), required for the type.
 */
export function defaulted<T extends TSchema>(schema: T): T {
  // Declared as T, not TOptional<T>: that is what makes the key required in Static<>.
  return Type.Optional(schema);
}

/** A string from a fixed list, spelled `type: string, enum: [...]` as the docs expect. */
export function oneOfStrings<const V extends readonly string[]>(
  values: V,
  options: Record<string, unknown>,
) {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
}

/** A discriminator tag: exactly this string. */
export function tag<const V extends string>(value: V) {
  return Type.Unsafe<V>({ const: value });
}
