import { isIP } from 'node:net';

/**
 * Value parsers for option declarations. Each turns a raw value (a string from a flag or env var, or a JSON
 * value from the config file) into a typed value, or returns a problem description such as
 * `expected an integer between 0 and 65535, got "abc"` that the caller prefixes with the option's name.
 */
export type RawValue = string | number | boolean | readonly unknown[] | null | object;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface ValueKind<T> {
  /** Placeholder shown in `--help`, e.g. `<int>`; empty for boolean switches. */
  readonly placeholder: string;
  /** Booleans may be given as a bare `--flag`. */
  readonly isSwitch: boolean;
  parse(raw: RawValue): ParseResult<T>;
}

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = (problem: string): ParseResult<never> => ({ ok: false, problem });
const show = (raw: RawValue): string => JSON.stringify(raw) ?? String(raw);

export function stringKind(placeholder = '<string>'): ValueKind<string> {
  return {
    placeholder,
    isSwitch: false,
    parse: (raw) =>
      typeof raw === 'string' && raw.length > 0 ? ok(raw) : fail(`expected a non-empty string, got ${show(raw)}`),
  };
}

export function integerKind(range: { min: number; max: number }): ValueKind<number> {
  const expected = `expected an integer between ${range.min} and ${range.max}`;
  return {
    placeholder: '<int>',
    isSwitch: false,
    parse: (raw) => {
      const n =
        typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      return Number.isInteger(n) && n >= range.min && n <= range.max ? ok(n) : fail(`${expected}, got ${show(raw)}`);
    },
  };
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

export function booleanKind(): ValueKind<boolean> {
  return {
    placeholder: '',
    isSwitch: true,
    parse: (raw) => {
      if (typeof raw === 'boolean') return ok(raw);
      const word = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (TRUE_WORDS.has(word)) return ok(true);
      if (FALSE_WORDS.has(word)) return ok(false);
      return fail(`expected true or false, got ${show(raw)}`);
    },
  };
}

export function enumKind<T extends string>(choices: readonly T[]): ValueKind<T> {
  const isChoice = (value: unknown): value is T =>
    typeof value === 'string' && (choices as readonly string[]).includes(value);
  return {
    placeholder: `<${choices.join('|')}>`,
    isSwitch: false,
    parse: (raw) => (isChoice(raw) ? ok(raw) : fail(`expected one of ${choices.join(', ')}, got ${show(raw)}`)),
  };
}

/** A string that must start with one of the given prefixes (URL schemes). */
export function uriKind(options: { placeholder: string; prefixes: readonly string[] }): ValueKind<string> {
  return {
    placeholder: options.placeholder,
    isSwitch: false,
    parse: (raw) =>
      typeof raw === 'string' && options.prefixes.some((p) => raw.startsWith(p) && raw.length > p.length)
        ? ok(raw)
        : fail(`expected a URI starting with ${options.prefixes.join(' or ')}, got ${show(raw)}`),
  };
}

/** A URL path such as `/parse`: leading slash added if missing, trailing slashes removed. */
export function mountPathKind(): ValueKind<string> {
  return {
    placeholder: '<path>',
    isSwitch: false,
    parse: (raw) => {
      if (typeof raw !== 'string') return fail(`expected a path like /parse, got ${show(raw)}`);
      const trimmed = raw.trim().replace(/\/+$/, '');
      const path = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
      // The API is always mounted below a prefix so /health, /dashboard and friends never collide with it.
      if (path === '/' || !/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) {
        return fail(`expected a path like /parse, got ${show(raw)}`);
      }
      return ok(path);
    },
  };
}

const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Byte sizes: `512kb`, `20mb`, `1gb` (binary multiples) or a plain number of bytes. */
export function sizeKind(): ValueKind<number> {
  return {
    placeholder: '<size>',
    isSwitch: false,
    parse: (raw) => {
      if (typeof raw === 'number' && Number.isInteger(raw) && raw > 0) return ok(raw);
      const match = typeof raw === 'string' ? /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(raw.trim()) : null;
      const unit = SIZE_UNITS[(match?.[2] ?? 'b').toLowerCase()];
      const bytes = match && unit ? Math.floor(Number(match[1]) * unit) : 0;
      return bytes > 0 ? ok(bytes) : fail(`expected a size like 512kb, 20mb or a number of bytes, got ${show(raw)}`);
    },
  };
}

/** Comma-separated in flags and env vars, a JSON array of strings in the config file. */
export function listKind(options: {
  placeholder: string;
  item?: (value: string) => string | undefined;
}): ValueKind<readonly string[]> {
  return {
    placeholder: options.placeholder,
    isSwitch: false,
    parse: (raw) => {
      const items = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : undefined;
      if (!items || !items.every((item): item is string => typeof item === 'string')) {
        return fail(`expected a comma-separated list, got ${show(raw)}`);
      }
      const cleaned = items.map((item) => item.trim()).filter((item) => item.length > 0);
      for (const item of cleaned) {
        const problem = options.item?.(item);
        if (problem !== undefined) return fail(`${problem}, got ${show(item)}`);
      }
      return ok(Object.freeze(cleaned));
    },
  };
}

/** An IPv4/IPv6 address or CIDR range (`10.0.0.0/8`, `::1/128`); returns a problem or undefined. */
export function checkIpOrCidr(value: string): string | undefined {
  const [address = '', bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return 'expected IP addresses or CIDR ranges';
  if (bits === undefined) return undefined;
  const maxBits = family === 4 ? 32 : 128;
  return /^\d+$/.test(bits) && Number(bits) <= maxBits ? undefined : 'expected IP addresses or CIDR ranges';
}
