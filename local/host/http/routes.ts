/**
 * Route templates of HTTP triggers as ASP.NET Core routing reads them: literal segments, `{name}`, optional
 * `{name?}`, defaults `{name=value}`, catch-all `{*name}` and inline constraints `{id:int}`, `{n:min(1)}`,
 * `{s:regex(^a+$)}`. Literal matching is case-insensitive.
 */

export interface RouteParam {
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: string[];
}

export interface CompiledRoute {
  template: string;
  regex: RegExp;
  params: RouteParam[];
  /** Lower sorts first: literal segments win over parameters, parameters over optional and catch-all ones. */
  precedence: number[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function parseParam(raw: string): RouteParam {
  let body = raw;
  const catchAll = body.startsWith('*');
  if (catchAll) body = body.replace(/^\*+/, '');
  let optional = false;
  if (body.endsWith('?')) {
    optional = true;
    body = body.slice(0, -1);
  }
  let defaultValue: string | undefined;
  const eq = body.indexOf('=');
  if (eq >= 0) {
    defaultValue = body.slice(eq + 1);
    body = body.slice(0, eq);
  }
  // Constraints are separated by ':' but a regex(...) constraint may itself contain ':'.
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  const [name, ...constraints] = parts;
  if (!name || !/^[A-Za-z_][\w-]*$/.test(name)) throw new Error(`Invalid route parameter "{${raw}}"`);
  return { name, optional: optional || defaultValue !== undefined || catchAll, catchAll, defaultValue, constraints };
}

/** Splits one path segment of a template into literal text and parameters. */
function parseSegment(segment: string): (string | RouteParam)[] {
  const parts: (string | RouteParam)[] = [];
  let i = 0;
  while (i < segment.length) {
    const open = segment.indexOf('{', i);
    if (open < 0) {
      parts.push(segment.slice(i));
      break;
    }
    if (open > i) parts.push(segment.slice(i, open));
    let depth = 0;
    let close = -1;
    for (let j = open; j < segment.length; j++) {
      if (segment[j] === '{') depth++;
      if (segment[j] === '}' && --depth === 0) {
        close = j;
        break;
      }
    }
    if (close < 0) throw new Error(`Unclosed "{" in route segment "${segment}"`);
    parts.push(parseParam(segment.slice(open + 1, close)));
    i = close + 1;
  }
  return parts;
}

export function compileRoute(template: string): CompiledRoute {
  const clean = template.replace(/^[~/]+|\/+$/g, '');
  const params: RouteParam[] = [];
  const precedence: number[] = [];
  let pattern = '^';
  for (const segment of clean === '' ? [] : clean.split('/')) {
    const parts = parseSegment(segment);
    const only = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0] : undefined;
    if (only) {
      params.push(only);
      if (only.catchAll) {
        pattern += '(?:/(.*))?';
        precedence.push(5);
      } else if (only.optional) {
        pattern += '(?:/([^/]+))?';
        precedence.push(4);
      } else {
        pattern += '/([^/]+)';
        precedence.push(only.constraints.length ? 2 : 3);
      }
      continue;
    }
    pattern += '/';
    let literalOnly = true;
    for (const part of parts) {
      if (typeof part === 'string') pattern += escapeRegex(part);
      else {
        literalOnly = false;
        params.push(part);
        pattern += part.optional ? '([^/]*?)' : '([^/]+?)';
      }
    }
    precedence.push(literalOnly ? 1 : 2);
  }
  pattern += '/?$';
  return { template, regex: new RegExp(pattern, 'i'), params, precedence };
}

function checkConstraint(constraint: string, value: string): boolean {
  const m = /^(\w+)(?:\((.*)\))?$/s.exec(constraint);
  if (!m) return false;
  const [, kind, arg = ''] = m;
  const num = Number(value);
  const args = arg.split(',').map((a) => Number(a.trim()));
  switch (kind.toLowerCase()) {
    case 'int':
    case 'long':
      return /^-?\d+$/.test(value);
    case 'double':
    case 'float':
    case 'decimal':
      return value.trim() !== '' && Number.isFinite(num);
    case 'bool':
      return /^(true|false)$/i.test(value);
    case 'alpha':
      return /^[a-z]+$/i.test(value);
    case 'guid':
      return /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i.test(value);
    case 'datetime':
      return !Number.isNaN(Date.parse(value));
    case 'minlength':
      return value.length >= args[0];
    case 'maxlength':
      return value.length <= args[0];
    case 'length':
      return args.length === 2 ? value.length >= args[0] && value.length <= args[1] : value.length === args[0];
    case 'min':
      return Number.isFinite(num) && num >= args[0];
    case 'max':
      return Number.isFinite(num) && num <= args[0];
    case 'range':
      return Number.isFinite(num) && num >= args[0] && num <= args[1];
    case 'regex':
      try {
        return new RegExp(arg, 'i').test(value);
      } catch {
        return false;
      }
    case 'required':
      return value !== '';
    default:
      return true; // unknown constraints do not reject (ASP.NET would fail at startup)
  }
}

/** Matches a URL path (still percent-encoded) against a route; returns the route values or undefined. */
export function matchRoute(route: CompiledRoute, pathname: string): Record<string, string> | undefined {
  const m = route.regex.exec(pathname);
  if (!m) return undefined;
  const values: Record<string, string> = {};
  for (let i = 0; i < route.params.length; i++) {
    const param = route.params[i];
    let raw = m[i + 1];
    if (raw === undefined || raw === '') {
      if (param.defaultValue !== undefined) raw = param.defaultValue;
      else if (param.optional) continue;
      else return undefined;
    }
    let value: string;
    try {
      value = param.catchAll ? raw : decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (!param.constraints.every((c) => checkConstraint(c, value))) return undefined;
    values[param.name] = value;
  }
  return values;
}

export function comparePrecedence(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < Math.max(a.precedence.length, b.precedence.length); i++) {
    const x = a.precedence[i] ?? 0;
    const y = b.precedence[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}
