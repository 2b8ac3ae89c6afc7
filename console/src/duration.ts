// Durations as operators type them ("90s", "30m", "24h", "7d", "2w",
// "1h30m"), the same grammar as the CLI's --expires-in, and how times are shown.

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

// Milliseconds, or null when the text is not a positive duration.
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (!/^(\d+[smhdw])+$/.test(s)) return null;
  let total = 0;
  for (const [, n, unit] of s.matchAll(/(\d+)([smhdw])/g)) total += Number(n) * UNIT_MS[unit as string]!;
  return total > 0 && Number.isSafeInteger(total) ? total : null;
}

// RFC 3339 in UTC with milliseconds, as the admin API writes times.
export function toRfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

// "in 23 h", "in 5 min", "3 d ago" — coarse, for tables.
export function relativeTime(iso: string, nowMs: number): string {
  const delta = Date.parse(iso) - nowMs;
  if (Number.isNaN(delta)) return iso;
  const abs = Math.abs(delta);
  let text: string;
  if (abs < 60_000) text = `${Math.max(1, Math.round(abs / 1000))} s`;
  else if (abs < 3_600_000) text = `${Math.round(abs / 60_000)} min`;
  else if (abs < 172_800_000) text = `${Math.round(abs / 3_600_000)} h`;
  else text = `${Math.round(abs / 86_400_000)} d`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

// "2026-12-31 23:59 UTC".
export function shortTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
