import { useCallback, useEffect, useState } from 'react';

/** A failure's text for an alert: Parse errors carry their message, anything else its string. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Loads data for a page and reloads it on demand; an answer that arrives after the inputs changed (or the
 * page closed) is dropped.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [generation, setGeneration] = useState(0);
  const run = useCallback(load, deps);
  useEffect(() => {
    let live = true;
    run().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(undefined);
      },
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [run, generation]);
  return { data, error, reload: () => setGeneration((g) => g + 1) };
}

/** Runs a write, then says what was done (a status line) or what went wrong (an alert). */
export function useAction(after?: () => void): {
  error: string | undefined;
  notice: string | undefined;
  act: (done: string, work: () => Promise<unknown>) => Promise<boolean>;
} {
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const act = async (done: string, work: () => Promise<unknown>): Promise<boolean> => {
    setError(undefined);
    setNotice(undefined);
    try {
      await work();
      setNotice(done);
      after?.();
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    }
  };
  return { error, notice, act };
}

/** Parses a JSON object typed by an admin; undefined text is `{}`. Throws a readable message otherwise. */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${errorText(err)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what} must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}
