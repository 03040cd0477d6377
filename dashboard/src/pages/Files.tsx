import { useState } from 'react';
import type { StoredFile } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { Messages } from '../components/Messages.js';
import { API_BASE } from '../session.js';
import { errorText, useAction, useLoad } from '../use-load.js';
import { DataTable } from '../components/DataTable.js';

const PAGE_SIZE = 50;
/** A text preview shows the file's first bytes only (a Range request), however large the file. */
const TEXT_PREVIEW_BYTES = 4096;

/**
 * A file's download URL through the dashboard server (same origin, the session cookie, no key): the part of
 * its public URL from `/files/` on, below the app's proxy.
 */
function proxiedURL(appId: string, file: StoredFile): string {
  const at = file.url.indexOf('/files/');
  const path = at === -1 ? `/files/${encodeURIComponent(appId)}/${encodeURIComponent(file.name)}` : file.url.slice(at);
  return `${API_BASE}/apps/${encodeURIComponent(appId)}${path}`;
}

function isText(type: string | undefined): boolean {
  return type !== undefined && (type.startsWith('text/') || type === 'application/json');
}

function sizeText(size: number | undefined): string {
  if (size === undefined) return '';
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The stored files, a page at a time in name order (Strata's `/fileList`; Parse has no listing), with a
 * preview of images and text, delete, and the orphan report: the files no object's File field refers to.
 */
export function Files() {
  const { client, app, session } = useApp();
  const [orphans, setOrphans] = useState(false);
  // The cursors of the pages before this one, for "Previous page".
  const [cursors, setCursors] = useState<Array<string | undefined>>([]);
  const [after, setAfter] = useState<string | undefined>();
  const [preview, setPreview] = useState<StoredFile | undefined>();
  const page = useLoad(
    () => client.files.list({ limit: PAGE_SIZE, orphans, ...(after === undefined ? {} : { after }) }),
    [client, orphans, after],
  );
  const { error, notice, act } = useAction(page.reload);
  const files = page.data?.results ?? [];
  return (
    <section aria-labelledby="files-title" className="stack">
      <h1 id="files-title">Files</h1>
      <p className="muted">
        Every file in the app&apos;s file store, by name. The orphan report lists the files that no object&apos;s File
        field refers to (files kept inside Object or Array fields are not seen); it checks one page of files at a time,
        so each page may show fewer rows.
      </p>
      <div className="inline-form">
        <label>
          <input
            type="checkbox"
            checked={orphans}
            onChange={(e) => {
              setOrphans(e.target.checked);
              setCursors([]);
              setAfter(undefined);
            }}
          />{' '}
          Only orphans (not referenced by any object)
        </label>
        <button type="button" onClick={page.reload}>
          Refresh
        </button>
      </div>
      <Messages error={page.error ?? error} notice={notice} />
      <DataTable
        columns={['Name', 'Type', 'Size', 'Modified']}
        actions="Actions"
        caption={orphans ? 'Orphan files' : 'Stored files'}
        captionHidden
      >
        {files.map((file) => (
          <tr key={file.name} data-file={file.name} aria-selected={preview?.name === file.name}>
            <th scope="row">
              <a href={proxiedURL(app.appId, file)} target="_blank" rel="noreferrer">
                {file.name}
              </a>
            </th>
            <td>{file.contentType ?? ''}</td>
            <td>{sizeText(file.size)}</td>
            <td>{file.lastModified === undefined ? '' : new Date(file.lastModified).toLocaleString()}</td>
            <td className="actions">
              <button type="button" aria-label={`Preview ${file.name}`} onClick={() => setPreview(file)}>
                Preview
              </button>
              <button
                type="button"
                className="danger"
                disabled={session.readOnly}
                aria-label={`Delete ${file.name}`}
                onClick={() => {
                  if (!window.confirm(`Delete ${file.name}? Objects that refer to it will point at nothing.`)) return;
                  if (preview?.name === file.name) setPreview(undefined);
                  void act(`Deleted ${file.name}`, () => client.files.remove(file.name));
                }}
              >
                Delete
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
      {page.data !== undefined && files.length === 0 && (
        <p className="empty-state">{orphans ? 'No orphans on this page of files.' : 'No files.'}</p>
      )}
      <div className="inline-form">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => {
            setAfter(cursors[cursors.length - 1]);
            setCursors(cursors.slice(0, -1));
          }}
        >
          Previous page
        </button>
        <button
          type="button"
          disabled={page.data?.next === undefined}
          onClick={() => {
            setCursors([...cursors, after]);
            setAfter(page.data?.next);
          }}
        >
          Next page
        </button>
      </div>
      {preview !== undefined && <Preview file={preview} url={proxiedURL(app.appId, preview)} />}
    </section>
  );
}

function Preview(props: { file: StoredFile; url: string }) {
  const { file, url } = props;
  const type = file.contentType;
  const text = useLoad(async () => {
    if (!isText(type)) return undefined;
    const response = await fetch(url, {
      credentials: 'same-origin',
      headers: { Range: `bytes=0-${TEXT_PREVIEW_BYTES - 1}` },
    });
    if (!response.ok) throw new Error(`The file could not be read (HTTP ${response.status}).`);
    return response.text();
  }, [url, type]);
  return (
    <section aria-labelledby="preview-title" className="file-preview">
      <h2 id="preview-title">Preview of {file.name}</h2>
      {type?.startsWith('image/') === true ? (
        <img src={url} alt={`Preview of ${file.name}`} />
      ) : isText(type) ? (
        <>
          {text.error !== undefined && (
            <p role="alert" className="error">
              {errorText(text.error)}
            </p>
          )}
          <pre tabIndex={0}>{text.data ?? 'Loading…'}</pre>
          {file.size !== undefined && file.size > TEXT_PREVIEW_BYTES && (
            <p className="muted">The first {TEXT_PREVIEW_BYTES.toLocaleString()} bytes.</p>
          )}
        </>
      ) : (
        <p className="muted">No preview for {type ?? 'this type'}: open the link to download it.</p>
      )}
    </section>
  );
}
