import type { JsonObject } from './types.js';

/**
 * A schedule stored in `_JobSchedule` (spec/mongo-layout.md §3.9) as parse-dashboard writes it through
 * `/cloud_code/jobs`. Parse Server only stores these; Strata also runs them (see `isDue`).
 */
export interface StoredJobSchedule {
  readonly objectId: string;
  readonly jobName: string;
  /** JSON text of the params object, as the dashboard sends it. */
  readonly params?: string;
  /** ISO date: no run before it. */
  readonly startAfter?: string;
  /** Seven flags, Sunday first (`1`/`"1"`/`true` = runs that day); absent: every day. */
  readonly daysOfWeek?: readonly unknown[];
  /** `HH:MM[:SS[.mmm]][Z]` in UTC; absent: midnight. */
  readonly timeOfDay?: string;
  /** Repeat every N minutes from `timeOfDay` until the end of the day; absent or 0: once a day. */
  readonly repeatMinutes?: number;
}

/** Where the runner reads the stored schedules from. */
export interface JobScheduleSource {
  list(): Promise<StoredJobSchedule[]>;
}

/** What a stored schedule means, checked once when it is saved and used at every tick. */
export interface ScheduleRule {
  readonly startAfter?: number;
  /** Indexes 0 (Sunday) to 6 the job runs on. */
  readonly days: readonly number[];
  /** Minutes after midnight UTC of the first run of a day. */
  readonly startMinute: number;
  readonly repeatMinutes: number;
}

/** Reads a stored schedule; a message says what is wrong with it. */
export function scheduleRule(schedule: Omit<StoredJobSchedule, 'objectId' | 'jobName'>): ScheduleRule | string {
  let startAfter: number | undefined;
  if (schedule.startAfter !== undefined) {
    startAfter = Date.parse(schedule.startAfter);
    if (Number.isNaN(startAfter)) return 'startAfter must be an ISO date.';
  }
  let days = [0, 1, 2, 3, 4, 5, 6];
  if (schedule.daysOfWeek !== undefined) {
    if (schedule.daysOfWeek.length !== 7) return 'daysOfWeek must have seven entries, Sunday first.';
    days = days.filter((day) => isOn(schedule.daysOfWeek?.[day]));
  }
  let startMinute = 0;
  if (schedule.timeOfDay !== undefined) {
    const match = /^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d{1,3})?)?Z?$/.exec(schedule.timeOfDay);
    const hour = Number(match?.[1]);
    const minute = Number(match?.[2]);
    if (match === null || hour > 23 || minute > 59) return 'timeOfDay must be HH:MM:SS (UTC).';
    startMinute = hour * 60 + minute;
  }
  const repeatMinutes = schedule.repeatMinutes ?? 0;
  if (!Number.isInteger(repeatMinutes) || repeatMinutes < 0) return 'repeatMinutes must be a whole number of minutes.';
  return { ...(startAfter === undefined ? {} : { startAfter }), days, startMinute, repeatMinutes };
}

function isOn(flag: unknown): boolean {
  return flag === true || flag === 1 || flag === '1' || flag === 'true';
}

/** The cron that ticks whenever the rule may be due: each minute for repeating rules, else daily. */
export function ruleCron(rule: ScheduleRule): string {
  if (rule.repeatMinutes > 0) return '* * * * *';
  return `${rule.startMinute % 60} ${Math.floor(rule.startMinute / 60)} * * *`;
}

/** Whether the rule wants a run in the minute of `at` (UTC). */
export function isDue(rule: ScheduleRule, at: Date): boolean {
  if (rule.startAfter !== undefined && at.getTime() < rule.startAfter) return false;
  if (!rule.days.includes(at.getUTCDay())) return false;
  const minute = at.getUTCHours() * 60 + at.getUTCMinutes();
  if (rule.repeatMinutes === 0) return minute === rule.startMinute;
  return minute >= rule.startMinute && (minute - rule.startMinute) % rule.repeatMinutes === 0;
}

/** The params a stored schedule runs with: its JSON text when that is an object, else `{}`. */
export function scheduleParams(text: string | undefined): JsonObject | undefined {
  if (text === undefined || text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}
