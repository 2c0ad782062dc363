/** Waiting in tests: poll a condition until it holds or a deadline passes (never a fixed sleep for a condition). */

/**
 * Calls `probe` every `intervalMs` until it returns something truthy, which it resolves to; throws naming `what`
 * once `timeoutMs` has passed.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
