/**
 * A push is delivered in parts, each a queue job with its own time and audience slice. An immediate or
 * scheduled push is one part. A device-local push (`push_time` without a zone) is one part per UTC offset
 * the time zones have at that wall-clock time: the part for UTC+02:00 runs when 09:00 is reached there and
 * reaches installations whose `timeZone` is one of those zones. Installations without a (known) time zone
 * get it at that wall-clock time in UTC. Parts are derived from the stored push alone, so a restarted
 * worker recomputes the same ones. Pure.
 */

export interface PushPart {
  /** `p0`, `p1`... (used in `_PushStatus.progress` and in queue job ids). */
  readonly id: string;
  readonly runAt: Date;
  /** An extra condition on `_Installation` (REST JSON), for a device-local part. */
  readonly where?: Record<string, unknown>;
}

/** The parts of a push; `pushTime` as stored (ISO; without `Z` for device-local), undefined for now. */
export function pushParts(options: { pushTime: string | undefined; createdAt: Date }): PushPart[] {
  const { pushTime } = options;
  if (pushTime === undefined) return [{ id: 'p0', runAt: options.createdAt }];
  if (pushTime.endsWith('Z')) return [{ id: 'p0', runAt: new Date(pushTime) }];
  return localParts(new Date(`${pushTime}Z`));
}

/** `wallClock`'s fields are the local time (read as if UTC). */
function localParts(wallClock: Date): PushPart[] {
  const formatters = new Map<string, Intl.DateTimeFormat>();
  const byInstant = new Map<number, string[]>();
  for (const zone of Intl.supportedValuesOf('timeZone')) {
    const at = instantOfWallClock({ zone, wallClock, formatters }).getTime();
    const list = byInstant.get(at) ?? [];
    list.push(zone);
    byInstant.set(at, list);
  }
  const utc = wallClock.getTime();
  // Zones at UTC+00:00 share the part of installations without a known zone.
  byInstant.delete(utc);
  const others = [...byInstant.values()].flat();
  const parts: { runAt: Date; where: Record<string, unknown> }[] = [...byInstant.entries()].map(([at, list]) => ({
    runAt: new Date(at),
    where: { timeZone: { $in: list } },
  }));
  parts.push({ runAt: new Date(utc), where: { timeZone: { $nin: others } } });
  parts.sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  return parts.map((part, i) => ({ id: `p${i}`, ...part }));
}

/** The instant at which `zone`'s clock shows `wallClock`. `formatters`: one per zone, reused by the caller. */
export function instantOfWallClock(options: {
  zone: string;
  wallClock: Date;
  formatters?: Map<string, Intl.DateTimeFormat>;
}): Date {
  const { zone, wallClock } = options;
  const formatters = options.formatters ?? new Map<string, Intl.DateTimeFormat>();
  let guess = wallClock.getTime();
  for (let i = 0; i < 3; i++) guess = wallClock.getTime() - offsetMs({ zone, at: new Date(guess), formatters });
  return new Date(guess);
}

/** `zone`'s offset from UTC at `at`, in ms. */
function offsetMs(options: { zone: string; at: Date; formatters: Map<string, Intl.DateTimeFormat> }): number {
  const { zone, at, formatters } = options;
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(at)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const local = Date.UTC(
    parts['year'] ?? 1970,
    (parts['month'] ?? 1) - 1,
    parts['day'] ?? 1,
    parts['hour'] ?? 0,
    parts['minute'] ?? 0,
    parts['second'] ?? 0,
  );
  return local - Math.floor(at.getTime() / 1000) * 1000;
}
