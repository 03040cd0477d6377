import { useState } from 'react';
import type { ClassSchema, RestObject } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { csvHeader, csvRows } from '../export.js';
import { importFile } from '../import.js';
import type { ImportOutcome } from '../import.js';
import { pageQuery } from '../paging.js';
import { API_BASE } from '../session.js';

/**
 * The data browser's export and import (DataGrid's toolbar): exports are streamed by the dashboard server
 * into a download (or paged here when browsing as a user, who has no server-side export); imports are
 * uploaded to the server's streamed import, whose report (`imported`) the grid shows.
 */
export function useTransfer(options: {
  schema: ClassSchema;
  where: Record<string, unknown>;
  fields: readonly string[];
  browsingAs: boolean;
  run: (what: string, work: () => Promise<void>) => Promise<void>;
  say: (notice: string) => void;
  reload: () => void;
}): {
  exportRows: (format: 'csv' | 'json') => Promise<void>;
  importRows: (file: File) => Promise<void>;
  imported: { outcome: ImportOutcome; running: boolean } | undefined;
  closeReport: () => void;
} {
  const { client, session, app } = useApp();
  const { schema, where, fields, browsingAs, run, say, reload } = options;
  // Streamed to the dashboard server, which writes it through REST in batches and reports each refused row.
  const [imported, setImported] = useState<{ outcome: ImportOutcome; running: boolean } | undefined>();
  const exportRows = (format: 'csv' | 'json'): Promise<void> => {
    if (!browsingAs) {
      // Streamed by the dashboard server a page at a time, straight into the browser's download: a class of
      // millions of rows never sits in this page's memory.
      const link = document.createElement('a');
      const query = new URLSearchParams({ format, where: JSON.stringify(where) });
      link.href = `${API_BASE}/apps/${encodeURIComponent(app.appId)}/export/${encodeURIComponent(schema.className)}?${query}`;
      link.download = `${schema.className}.${format}`;
      link.click();
      say(`Exporting ${schema.className} as ${format.toUpperCase()}: see your downloads.`);
      return Promise.resolve();
    }
    return exportAsUser(format);
  };

  // Browsing as a user: the export pages through what that user may read, here in the page.
  const exportAsUser = (format: 'csv' | 'json'): Promise<void> =>
    run(`Exported ${schema.className}`, async () => {
      // Pages through the whole (filtered) class with the same cursor as the grid, keeping one page at a time.
      const parts: string[] = [format === 'csv' ? csvHeader(fields) : ''];
      let last: RestObject | undefined;
      let count = 0;
      for (;;) {
        const q = pageQuery({ filter: where, sort: undefined, last, loaded: count, pageSize: 1000 });
        const page = await client.objects.find(schema.className, q);
        parts.push(format === 'csv' ? csvRows(page, fields) : page.map((r) => `${JSON.stringify(r)}\n`).join(''));
        count += page.length;
        say(`Exporting… ${count.toLocaleString()} rows`);
        last = page.at(-1);
        if (page.length < 1000) break;
      }
      const blob = new Blob(parts, { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `${schema.className}.${format === 'csv' ? 'csv' : 'jsonl'}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    });

  const importRows = (file: File): Promise<void> =>
    run(`Imported ${file.name}`, async () => {
      const onProgress = (outcome: ImportOutcome): void => setImported({ outcome, running: true });
      onProgress({
        fileName: file.name,
        counts: { rows: 0, created: 0, updated: 0, failed: 0 },
        failures: [],
        complete: false,
      });
      try {
        const outcome = await importFile({
          appId: app.appId,
          className: schema.className,
          file,
          csrfToken: session.csrfToken,
          onProgress,
        });
        setImported({ outcome, running: false });
      } catch (err) {
        setImported(undefined);
        throw err;
      }
      reload();
    });

  return { exportRows, importRows, imported, closeReport: () => setImported(undefined) };
}
