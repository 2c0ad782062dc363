/**
 * parseClusterSpec: untrusted JSON → the resolved ClusterSpec, or every error with its field path and a message
 * that says what is expected and what was given.
 */
import type { z } from 'zod';
import { formatPath } from './crossChecks';
import { type ClusterSpec, clusterSpecObjectSchema, clusterSpecSchema } from './schema';
import { SECRET_ADVICE, isSecretLikeKey, secretLikeValue, stringLeaves } from './secrets';

/** One problem of a request: where (a field path) and what. Also the items of every 400 body. */
export interface FieldError {
  /** e.g. `nodes[1].serviceIp`, `network.subnets.service.addressPrefix`; '' for the spec itself */
  path: string;
  message: string;
}

export type ParseClusterSpecResult = { ok: true; spec: ClusterSpec } | { ok: false; errors: FieldError[] };

export interface ParseClusterSpecOptions {
  /** used when the spec has no subscriptionId (e.g. the app's own subscription, from an app setting) */
  defaultSubscriptionId?: string;
}

export function parseClusterSpec(input: unknown, opts: ParseClusterSpecOptions = {}): ParseClusterSpecResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return {
      ok: false,
      errors: [{ path: '', message: `expected a JSON object (the cluster spec), got ${describe(input)}` }],
    };
  }
  const spec: Record<string, unknown> = { ...input };
  if (spec.subscriptionId === undefined && opts.defaultSubscriptionId !== undefined) {
    spec.subscriptionId = opts.defaultSubscriptionId;
  }

  const secretErrors = stringLeaves(spec).flatMap(({ path, value }) => {
    const what = secretLikeValue(value as string);
    return what ? [{ path: formatPath(path), message: `refused: the value looks like ${what}; ${SECRET_ADVICE}` }] : [];
  });

  const parsed = clusterSpecSchema.safeParse(spec, { error: issueMessage });
  if (parsed.success && secretErrors.length === 0) return { ok: true, spec: parsed.data };

  const secretPaths = secretErrors.map((e) => e.path);
  const underSecret = (path: string) =>
    secretPaths.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
  const schemaErrors = parsed.success
    ? []
    : parsed.error.issues.flatMap(toFieldErrors).filter((e) => !underSecret(e.path));
  return { ok: false, errors: [...secretErrors, ...schemaErrors] };
}

function toFieldErrors(issue: z.core.$ZodIssue): FieldError[] {
  if (issue.code !== 'unrecognized_keys') return [{ path: formatPath(issue.path), message: issue.message }];
  const known = knownFields(issue.path);
  return issue.keys.map((key) => ({
    path: formatPath([...issue.path, key]),
    message: isSecretLikeKey(key)
      ? `refused: "${key}" looks like a secret; ${SECRET_ADVICE}`
      : `unknown field "${key}"${known.length ? `; expected one of: ${known.join(', ')}` : ''}`,
  }));
}

/** The field names the schema accepts at `path` (for "unknown field" messages). */
function knownFields(path: readonly PropertyKey[]): string[] {
  let schema: unknown = clusterSpecObjectSchema;
  for (const key of path) {
    schema = unwrap(schema);
    const def = defOf(schema);
    if (def?.type === 'object') schema = (def.shape as Record<string, unknown>)[String(key)];
    else if (def?.type === 'array') schema = def.element;
    else return [];
  }
  schema = unwrap(schema);
  const def = defOf(schema);
  if (def?.type === 'object') return Object.keys(def.shape as object);
  if (def?.type === 'union') {
    return [...new Set((def.options as unknown[]).flatMap((o) => Object.keys((defOf(o)?.shape as object) ?? {})))];
  }
  return [];
}

type Def = Record<string, unknown> & { type?: string };
function defOf(schema: unknown): Def | undefined {
  return (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

/** Looks through default/prefault/optional/pipe wrappers to the object or array underneath. */
function unwrap(schema: unknown): unknown {
  for (;;) {
    const def = defOf(schema);
    if (def && ['default', 'prefault', 'optional', 'nullable'].includes(def.type ?? '')) schema = def.innerType;
    else if (def?.type === 'pipe') schema = def.in;
    else return schema;
  }
}

/** Messages for zod's built-in checks: what is expected and what was given. */
function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `required: expected ${article(issue.expected)}`;
      return `expected ${article(issue.expected)}, got ${describe(issue.input)}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const relation = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
      if (issue.origin === 'array')
        return `expected ${relation} ${bound} items, got ${(issue.input as unknown[]).length}`;
      if (issue.origin === 'string')
        return `expected ${relation} ${bound} characters, got ${(issue.input as string).length}`;
      return `expected a number ${relation} ${bound}, got ${describe(issue.input)}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(issue.input)}`;
    default:
      return undefined;
  }
}

function article(type: string): string {
  const names: Record<string, string> = { int: 'an integer', object: 'an object', array: 'an array' };
  return names[type] ?? `a ${type}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
