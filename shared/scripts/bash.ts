/**
 * Writing bash from TypeScript. `sh` is a template tag over the RAW template text, so bash's backslashes stay as
 * written; bash's own `${...}` expansions are written `\${...}` (the escape keeps TypeScript from interpolating and
 * is removed here), while `${value}` interpolates a TypeScript value — always pass it through `sq` (or `shWord`)
 * unless it is bash code built the same way. Backticks cannot appear in the text (use $(...)).
 */

export function sh(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = '';
  strings.raw.forEach((raw, i) => {
    out += raw.replace(/\\\$\{/g, '${');
    if (i < values.length) out += String(values[i]);
  });
  return out;
}

/** Single-quoted bash word: safe for any text (newlines included). NUL cannot be represented and is refused. */
export function sq(value: string | number): string {
  const s = String(value);
  if (s.includes('\0')) throw new Error('a bash word cannot contain NUL');
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A bash array literal: (word word ...). */
export function bashArray(values: readonly (string | number)[]): string {
  return `(${values.map(sq).join(' ')})`;
}

/** Refuses values that would be unsafe or nonsensical in a config line even when quoted (newlines, NUL). */
export function singleLine(label: string, value: string): string {
  if (/[\n\r\0]/.test(value)) throw new Error(`${label} must be a single line`);
  return value;
}

/** Text for a quoted here-document ending with QWK_EOF: refuses a line that would end it early. */
export function heredocBody(label: string, text: string): string {
  if (text.split('\n').some((l) => l === 'QWK_EOF')) throw new Error(`${label} must not contain a line "QWK_EOF"`);
  if (text.includes('\0')) throw new Error(`${label} must not contain NUL`);
  return text.replace(/\n+$/, '');
}
