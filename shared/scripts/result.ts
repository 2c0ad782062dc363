/**
 * Reading a step's result out of what Run Command returns: value[0].message of a RunShellScript is
 * "Enable succeeded: \n[stdout]\n<last 4 KiB of stdout>\n[stderr]\n<last 4 KiB of stderr>\n" and there is no exit
 * code. The step's result is the last QWK_RESULT line of stdout; without one the step failed.
 */
import { z } from 'zod';

export const RESULT_PREFIX = 'QWK_RESULT ';

const resultLineSchema = z.object({
  step: z.string(),
  ok: z.boolean(),
  changed: z.boolean(),
  rebootRequired: z.boolean(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export interface ScriptResult {
  step: string;
  ok: boolean;
  changed: boolean;
  rebootRequired: boolean;
  message: string;
  data: Record<string, unknown>;
  /** 'result-line' when the script reported; 'missing' / 'invalid' when the result was synthesised as a failure. */
  source: 'result-line' | 'missing' | 'invalid';
  /** Ends of the two streams (for diagnostics; at most 1,000 characters each). */
  stdoutTail: string;
  stderrTail: string;
}

const TAIL = 1000;
const MESSAGE_TAIL = 400;

function tail(text: string, n: number): string {
  const t = text.trim();
  return t.length <= n ? t : `…${t.slice(t.length - n)}`;
}

/** Splits Azure's message into stdout and stderr (either may be absent). */
export function splitRunCommandMessage(message: string): { stdout: string; stderr: string } {
  const out = /\[stdout\]\r?\n?/.exec(message);
  if (!out) return { stdout: '', stderr: message.replace(/^Enable (succeeded|failed):\s*/, '') };
  const rest = message.slice(out.index + out[0].length);
  const errIndex = rest.lastIndexOf('[stderr]');
  if (errIndex < 0) return { stdout: rest, stderr: '' };
  return {
    stdout: rest.slice(0, errIndex).replace(/\r?\n$/, ''),
    stderr: rest.slice(errIndex + '[stderr]'.length).replace(/^\r?\n/, ''),
  };
}

/**
 * The step's result from a Run Command message. Never throws: a missing or unreadable result line gives ok=false
 * with the stderr tail (or stdout tail) as the message. With expectedStep, a line for another step is a failure.
 */
export function parseScriptResult(runCommandMessage: string, expectedStep?: string): ScriptResult {
  const { stdout, stderr } = splitRunCommandMessage(runCommandMessage);
  const stdoutTail = tail(stdout, TAIL);
  const stderrTail = tail(stderr, TAIL);
  const failure = (source: 'missing' | 'invalid', why: string): ScriptResult => {
    const oneLine = (text: string) => tail(text.replace(/\s+/g, ' '), MESSAGE_TAIL);
    const detail = stderr.trim() !== '' ? `stderr: ${oneLine(stderr)}` : `stdout: ${oneLine(stdout) || '(empty)'}`;
    return {
      step: expectedStep ?? 'unknown',
      ok: false,
      changed: false,
      rebootRequired: false,
      message: `${why}; ${detail}`,
      data: {},
      source,
      stdoutTail,
      stderrTail,
    };
  };

  const lines = stdout.split(/\r?\n/);
  let line: string | undefined;
  for (const l of [...lines].reverse()) {
    if (l.startsWith(RESULT_PREFIX)) {
      line = l;
      break;
    }
  }
  if (line === undefined)
    return failure('missing', 'the script printed no QWK_RESULT line (killed, timed out or not run)');

  let json: unknown;
  try {
    json = JSON.parse(line.slice(RESULT_PREFIX.length));
  } catch (e) {
    return failure('invalid', `unreadable QWK_RESULT line (${(e as Error).message})`);
  }
  const parsed = resultLineSchema.safeParse(json);
  if (!parsed.success)
    return failure(
      'invalid',
      `QWK_RESULT line has an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'})`,
    );
  const r = parsed.data;
  if (expectedStep !== undefined && r.step !== expectedStep) {
    return failure('invalid', `QWK_RESULT line is for step '${r.step}', expected '${expectedStep}'`);
  }
  return { ...r, source: 'result-line', stdoutTail, stderrTail };
}
