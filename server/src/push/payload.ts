import { createHash } from 'node:crypto';

/**
 * What each device receives of a push's `data` (push.md §1.1, §4): the localized `alert`/`title` for its
 * locale (`alert-fr` for `fr-FR`), every `alert-xx`/`title-xx` key stripped, and its own badge after a
 * server-side increment. Pure.
 */

const LOCALIZED = /^(alert|title)-(.+)$/;

/** The locales a payload carries a translation for (`alert-fr`, `title-pt-BR` → `fr`, `pt-BR`). */
export function payloadLocales(data: Readonly<Record<string, unknown>>): string[] {
  const locales = new Set<string>();
  for (const key of Object.keys(data)) {
    const match = LOCALIZED.exec(key);
    if (match !== null) locales.add(match[2] as string);
  }
  return [...locales];
}

/**
 * The payload for a device of `localeIdentifier` (whose translation is the longest locale it starts with)
 * and `badge` (undefined: as sent).
 */
export function payloadFor(
  data: Readonly<Record<string, unknown>>,
  device: { localeIdentifier?: string | undefined; badge?: number | undefined },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (!LOCALIZED.test(key)) out[key] = value;
  const identifier = device.localeIdentifier;
  if (identifier !== undefined) {
    const locale = payloadLocales(data)
      .filter((l) => identifier === l || identifier.startsWith(`${l}-`) || identifier.startsWith(`${l}_`))
      .sort((a, b) => b.length - a.length)[0];
    if (locale !== undefined) {
      if (data[`alert-${locale}`] !== undefined) out['alert'] = data[`alert-${locale}`];
      if (data[`title-${locale}`] !== undefined) out['title'] = data[`title-${locale}`];
    }
  }
  if (device.badge !== undefined) out['badge'] = device.badge;
  // "Increment" or an Increment op is resolved per device (Apple devices); no other device gets the op itself.
  else if (out['badge'] !== undefined && typeof out['badge'] !== 'number') delete out['badge'];
  return out;
}

/** `_PushStatus.pushHash`: md5 of the alert text, or of its JSON when it is an object (md5("") without one). */
export function pushHash(data: Readonly<Record<string, unknown>>): string {
  const alert = data['alert'];
  const text = alert === undefined || alert === null ? '' : typeof alert === 'string' ? alert : JSON.stringify(alert);
  return createHash('md5').update(text).digest('hex');
}
