/**
 * One zod error map for every config schema (top level and each plugin's block), so plugin
 * authors write `z.number().int().min(0)` and the operator still reads
 * `expected a whole number 0 or more, got -5`. A message written on a schema (a regex that
 * means "a bot token", a cross-field rule) still wins over the map: zod asks the map only
 * when the schema gives no message of its own.
 */
import type { z } from 'zod';

/** A value as it appears in a message: plain words bare, anything else as JSON. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string' && /^[\p{L}\p{N}_.:/-]+$/u.test(value)) return value;
  if (typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** `a`, `a or b`, `a, b or c`. */
export function orList(values: readonly unknown[]): string {
  const words = values.map(describeValue);
  return words.length <= 1 ? (words[0] ?? 'nothing') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  record: 'a map',
  map: 'a map',
  date: 'a date',
  bigint: 'a whole number',
  null: 'null',
};

function bound(value: number | bigint, inclusive: boolean | undefined, below: boolean): string {
  if (below) return inclusive === false ? `more than ${value}` : `${value} or more`;
  return inclusive === false ? `less than ${value}` : `${value} or less`;
}

/** Describes what a failed issue expected, or undefined to keep zod's own message. */
function expectation(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`;
    case 'invalid_value':
      return orList(issue.values);
    case 'too_small':
    case 'too_big': {
      const below = issue.code === 'too_small';
      const limit = below ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
      const inclusive = issue.inclusive;
      if (issue.origin === 'string') {
        if (below && Number(limit) === 1) return 'a non-empty string';
        return below ? `at least ${limit} characters` : `at most ${limit} characters`;
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        if (below && Number(limit) === 1) return 'at least one item';
        return below ? `at least ${limit} items` : `at most ${limit} items`;
      }
      return `a number ${bound(limit, inclusive, below)}`;
    }
    case 'invalid_format':
      if (issue.format === 'url') return 'a URL';
      if (issue.format === 'regex') return `text matching ${String((issue as { pattern?: unknown }).pattern)}`;
      return `a valid ${issue.format}`;
    case 'not_multiple_of':
      return `a multiple of ${issue.divisor}`;
    case 'invalid_union': {
      const options = (issue as { options?: readonly unknown[] }).options;
      if (options?.length) return orList(options);
      // One expectation per branch: "true or false, or a map".
      const branches = (issue.errors ?? [])
        .map((errors) => errors[0])
        .filter((first): first is z.core.$ZodIssue => first !== undefined && first.path.length === 0)
        .map((first) => expectation(first as unknown as z.core.$ZodRawIssue))
        .filter((text): text is string => text !== undefined);
      return branches.length ? [...new Set(branches)].join(', or ') : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The error map `validateAt` applies to every config schema.
 * @example
 * schema.safeParse(value, { error: configErrorMap, reportInput: true });
 */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  const expected = expectation(issue);
  return expected === undefined ? undefined : `expected ${expected}`;
};
