/**
 * Polls `fn` until it holds: at most `tries` times, `everyMs` apart. The bound is a number of
 * attempts, not a clock reading, so a slow machine fails no faster than a quick one and nothing
 * asserts on elapsed time; callers pick `tries` at about ten times what a normal run needs.
 */
export async function until(fn: () => boolean | Promise<boolean>, tries = 100, everyMs = 50): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return fn();
}
