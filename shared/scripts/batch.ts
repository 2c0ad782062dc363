/**
 * Several configuration steps of one VM in ONE Run Command (issue 9): a batch script that writes each step's own
 * script (exactly the text a single Run Command would run) to a temp file and runs it with bash, one after the
 * other. Per step it checks the step's completion marker first (/var/lib/qwk-ops/markers/<id>.done holding the
 * step's hash: a match skips the step), runs the step with only its own secret parameters in its environment,
 * keeps the step's stdout in its log on the VM (/var/log/qwk-ops/<id>.log) and prints two compact lines:
 *
 *   QWK_STEP {"id":"lk-ip","status":"ran","rc":0,"start":1764090000,"end":1764090012}
 *   QWK_RESULT {"step":"lk-ip","ok":true,...}          (the step's own result line, compact: no data, short message)
 *
 * A step that succeeded (and did not ask for a reboot) leaves its marker — only after its own checks passed, since
 * the result line says ok only then. A step that failed, printed no result, or asked for a reboot ends the batch:
 * the orchestrator restarts the VM and runs the rest in the next batch, or fails with that step's own message.
 * Everything stays well inside the 4,096 bytes of stdout Run Command returns (≈ 300 bytes per step).
 */
import { createHash } from 'node:crypto';
import { bashArray, sh, sq } from './bash';
import type { SecretRequirement } from './params';
import { RESULT_PREFIX, splitRunCommandMessage } from './result';
import type { StepScript } from './script';

export const MARKER_DIR = '/var/lib/qwk-ops/markers';
export const BATCH_STEP_PREFIX = 'QWK_STEP ';
const EOF_WORD = 'QWK_BATCH_EOF';

/** One step of a batch: its id on the VM (unique per VM), its script, and whether a matching marker skips it. */
export interface BatchEntry {
  id: string;
  script: StepScript;
  /** false: the step always runs (it checks live state a crash or a restart can tear), and leaves no marker. */
  useMarker: boolean;
}

/**
 * The step's hash for its marker: sha256 of the script text (every non-secret input is in it) and the NAMES of its
 * secret parameters — never their values, so a marker reveals nothing about a secret (a rotated secret alone does
 * not redo a step).
 */
export function stepHash(script: StepScript): string {
  const h = createHash('sha256');
  h.update(script.script);
  h.update('\0secrets:');
  h.update(
    script.secrets
      .map((s) => s.name)
      .sort()
      .join(','),
  );
  return h.digest('hex');
}

/** The secret parameters a batch needs: each step's own, merged (required wins). */
export function batchSecrets(entries: BatchEntry[]): SecretRequirement[] {
  const out = new Map<string, SecretRequirement>();
  for (const e of entries)
    for (const s of e.script.secrets) {
      const seen = out.get(s.name);
      out.set(s.name, { ...s, required: s.required || (seen?.required ?? false) });
    }
  return [...out.values()];
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function buildBatchScript(entries: BatchEntry[]): string {
  if (entries.length === 0) throw new Error('a batch needs at least one step');
  const ids = new Set<string>();
  for (const e of entries) {
    if (!ID_RE.test(e.id)) throw new Error(`batch step id '${e.id}' is not a plain name`);
    if (ids.has(e.id)) throw new Error(`batch step id '${e.id}' appears twice`);
    ids.add(e.id);
    if (e.script.script.split('\n').some((l) => l === EOF_WORD))
      throw new Error(`the script of ${e.id} contains a line "${EOF_WORD}"`);
  }
  const allSecrets = batchSecrets(entries).map((s) => s.name);
  const files = entries
    .map((e, i) => `cat >"$QWK_BATCH_DIR/${i}.sh" <<'${EOF_WORD}'\n${e.script.script.replace(/\n+$/, '')}\n${EOF_WORD}`)
    .join('\n');
  const calls = entries
    .map((e, i) => {
      const others = allSecrets.filter((n) => !e.script.secrets.some((s) => s.name === n));
      return `qwk_batch_step ${sq(e.id)} ${sq(e.script.name)} ${sq(stepHash(e.script))} ${e.useMarker ? 'yes' : 'no'} "$QWK_BATCH_DIR/${i}.sh" ${bashArray(others).slice(1, -1)} || exit 0`;
    })
    .join('\n');
  return [
    '#!/bin/bash',
    `# qwk-ops Run Command batch (generated): ${entries.map((e) => e.id).join(', ')}.`,
    '# Per step: marker check, the step script, one QWK_STEP line and its compact QWK_RESULT line.',
    'set -uo pipefail',
    sh`QWK_LOG_DIR=\${QWK_LOG_DIR:-/var/log/qwk-ops}
QWK_MARKER_DIR=\${QWK_MARKER_DIR:-${MARKER_DIR}}
umask 022
mkdir -p "$QWK_LOG_DIR" "$QWK_MARKER_DIR"
QWK_BATCH_DIR=$(mktemp -d "\${TMPDIR:-/tmp}/qwk-ops-batch.XXXXXXXX")
trap 'rm -rf -- "$QWK_BATCH_DIR"' EXIT

# JSON string literal of $1 (quotes included); control characters dropped.
qwk_batch_json() {
  local s=$1
  s=\${s//\\/\\\\}
  s=\${s//\"/\\\"}
  s=$(printf '%s' "$s" | LC_ALL=C tr -d '\000-\037')
  printf '"%s"' "$s"
}

# qwk_batch_step ID STEP HASH yes|no FILE [SECRET_VAR...]: runs one step; returns 1 when the batch must stop.
qwk_batch_step() {
  local id=$1 step=$2 hash=$3 use_marker=$4 file=$5 marker start end rc out line tail_text
  shift 5
  marker="$QWK_MARKER_DIR/$id.done"
  start=$(date +%s)
  if [ "$use_marker" = yes ] && [ -f "$marker" ] && [ "$(cat "$marker" 2>/dev/null)" = "$hash" ]; then
    printf 'QWK_STEP {"id":%s,"status":"skipped","rc":0,"start":%s,"end":%s}\n' "$(qwk_batch_json "$id")" "$start" "$(date +%s)"
    return 0
  fi
  out="$QWK_BATCH_DIR/$id.out"
  (
    for v in "$@"; do unset "$v"; done
    QWK_COMPACT=1 exec bash "$file"
  ) >"$out" 2>>"$QWK_LOG_DIR/$id.stderr.log" </dev/null
  rc=$?
  end=$(date +%s)
  cat "$out" >>"$QWK_LOG_DIR/$id.log"
  line=$(grep '^${RESULT_PREFIX}' "$out" | tail -n 1)
  printf 'QWK_STEP {"id":%s,"status":"ran","rc":%s,"start":%s,"end":%s}\n' "$(qwk_batch_json "$id")" "$rc" "$start" "$end"
  if [ -z "$line" ]; then
    tail_text=$(tail -n 3 "$QWK_LOG_DIR/$id.stderr.log" 2>/dev/null | tr '\n' ' ')
    if [ "\${#tail_text}" -gt 300 ]; then tail_text=\${tail_text: -300}; fi
    printf '${RESULT_PREFIX}{"step":%s,"ok":false,"changed":false,"rebootRequired":false,"message":%s,"data":{}}\n' \
      "$(qwk_batch_json "$step")" "$(qwk_batch_json "the step printed no result line (exit $rc); stderr: $tail_text")"
    return 1
  fi
  printf '%s\n' "$line"
  case $line in
    *'"ok":true,'*) ;;
    *) return 1 ;;
  esac
  case $line in
    *'"rebootRequired":true,'*) return 1 ;;
  esac
  if [ "$rc" -ne 0 ]; then return 1; fi
  if [ "$use_marker" = yes ]; then printf '%s\n' "$hash" >"$marker"; fi
  return 0
}
`.trimEnd(),
    files,
    '',
    calls,
    '',
  ].join('\n');
}

/** One step's outcome as the batch reported it (times are the VM's epoch seconds, as ISO strings). */
export type BatchStepResult =
  | {
      id: string;
      status: 'skipped';
      startedAt: string;
      endedAt: string;
    }
  | {
      id: string;
      status: 'ran';
      ok: boolean;
      changed: boolean;
      rebootRequired: boolean;
      message: string;
      startedAt: string;
      endedAt: string;
    };

export interface BatchOutput {
  /** The steps that reported, in batch order (a prefix of the batch's ids). */
  steps: BatchStepResult[];
  /** Why no step reported (the batch did not run at all): a one-line diagnosis, else undefined. */
  problem?: string;
}

const iso = (epochSeconds: unknown): string | undefined =>
  typeof epochSeconds === 'number' && Number.isFinite(epochSeconds)
    ? new Date(epochSeconds * 1000).toISOString()
    : undefined;

/**
 * The steps' results from a batch's Run Command message. A step line without a readable result line counts as a
 * failed step; steps after the last reported one did not run. Never throws.
 */
export function parseBatchOutput(message: string, ids: string[]): BatchOutput {
  const { stdout, stderr } = splitRunCommandMessage(message);
  const lines = stdout.split(/\r?\n/);
  const steps: BatchStepResult[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith(BATCH_STEP_PREFIX)) continue;
    let head: Record<string, unknown>;
    try {
      head = JSON.parse(line.slice(BATCH_STEP_PREFIX.length)) as Record<string, unknown>;
    } catch {
      continue;
    }
    const id = typeof head.id === 'string' ? head.id : '';
    if (!ids.includes(id)) continue;
    const startedAt = iso(head.start) ?? new Date(0).toISOString();
    const endedAt = iso(head.end) ?? startedAt;
    if (head.status === 'skipped') {
      steps.push({ id, status: 'skipped', startedAt, endedAt });
      continue;
    }
    const next = lines[i + 1] ?? '';
    let result: Record<string, unknown> | undefined;
    if (next.startsWith(RESULT_PREFIX)) {
      try {
        result = JSON.parse(next.slice(RESULT_PREFIX.length)) as Record<string, unknown>;
        i++;
      } catch {
        result = undefined;
      }
    }
    const ok = result?.ok === true && head.rc === 0;
    steps.push({
      id,
      status: 'ran',
      ok,
      changed: result?.changed === true,
      rebootRequired: result?.rebootRequired === true,
      message:
        typeof result?.message === 'string'
          ? result.message
          : `the step's result line is missing or unreadable (exit ${String(head.rc)})`,
      startedAt,
      endedAt,
    });
  }
  if (steps.length > 0) return { steps };
  const oneLine = (t: string) => {
    const s = t.replace(/\s+/g, ' ').trim();
    return s.length <= 400 ? s : `…${s.slice(s.length - 400)}`;
  };
  return {
    steps,
    problem: `the batch reported no step (killed, timed out or not run); ${
      stderr.trim() !== '' ? `stderr: ${oneLine(stderr)}` : `stdout: ${oneLine(stdout) || '(empty)'}`
    }`,
  };
}
