import { z } from "zod";
import { organizationRecordSchema } from "../record/schema.js";

/**
 * The values a fact takes, so that the loader can refuse a comparison that can never hold
 * (`"instuctor"`, a boolean written `"true"`, a count on a field that is not a collection).
 */
export type FactValues =
  /** Exactly these values: an enumeration or a boolean, with null when the field may be empty. */
  | { kind: "oneOf"; values: ReadonlyArray<string | boolean | null> }
  /**
   * A number, with null when the field may be empty; `min`/`max` bound it where known, and `atMost` names a
   * fact it never exceeds given the same params (so that a fraction of the two is proven to stay within 0..1).
   */
  | { kind: "number"; nullable: boolean; min?: number; max?: number; atMost?: string }
  /** A collection fact: its entries are counted (countAtLeast / countAtMost). */
  | { kind: "entries" }
  /** A level id of the rule set. */
  | { kind: "level" }
  /** A list of ids of the caps, vetoes, causes and gate that hold. */
  | { kind: "heldIds" }
  /** Anything: no check. */
  | { kind: "any" };

/**
 * The values a zod schema of the record accepts, as a FactValues.
 *
 * @param schema - a field's schema
 * @returns oneOf for enumerations and booleans, number for numbers, any otherwise
 * @example
 * valuesOfSchema(z.enum(["own", "none"]).nullable()); // { kind: "oneOf", values: ["own", "none", null] }
 */
export function valuesOfSchema(schema: z.ZodType): FactValues {
  let inner: z.ZodType = schema;
  let nullable = false;
  if (inner instanceof z.ZodNullable) {
    nullable = true;
    inner = inner.unwrap() as z.ZodType;
  }
  const empty = nullable ? [null] : [];
  if (inner instanceof z.ZodEnum) return { kind: "oneOf", values: [...(inner.options as string[]), ...empty] };
  if (inner instanceof z.ZodBoolean) return { kind: "oneOf", values: [true, false, ...empty] };
  if (inner instanceof z.ZodNumber) {
    const { minValue, maxValue } = inner;
    return {
      kind: "number",
      nullable,
      ...(minValue !== null && Number.isFinite(minValue) ? { min: minValue } : {}),
      ...(maxValue !== null && Number.isFinite(maxValue) ? { max: maxValue } : {}),
    };
  }
  return { kind: "any" };
}

/**
 * The schema of a record field by its dotted path (`party.coverage`), or of a field of a collection's
 * entries (`penalties`, `kind`).
 *
 * @param path - dotted path from the record's root
 * @returns the field's zod schema, or undefined when there is no such field
 */
export function recordFieldSchema(path: string): z.ZodType | undefined {
  let schema: z.ZodType | undefined = organizationRecordSchema;
  for (const key of path.split(".")) {
    if (schema instanceof z.ZodNullable) schema = schema.unwrap() as z.ZodType;
    if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    if (!(schema instanceof z.ZodObject)) return undefined;
    schema = (schema.shape as Record<string, z.ZodType>)[key];
  }
  return schema;
}
