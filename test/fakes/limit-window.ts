/** A fixed rate-limit window: `limit` requests, then 429 until `windowMs` after the window opened. */
export interface LimitWindow {
  count: number;
  endsAt: number;
  /** How many windows have opened so far (the current one is number opened − 1). */
  opened?: number;
}

/** Counts a request in the window, which opens at the first request after the last one closed. */
export function take(w: LimitWindow, limit: number, windowMs: number, now: number): { ok: boolean; remaining: number; resetAfterMs: number } {
  if (now >= w.endsAt) Object.assign(w, { count: 0, endsAt: now + windowMs, opened: (w.opened ?? 0) + 1 });
  if (w.count >= limit) return { ok: false, remaining: 0, resetAfterMs: w.endsAt - now };
  w.count += 1;
  return { ok: true, remaining: limit - w.count, resetAfterMs: w.endsAt - now };
}
