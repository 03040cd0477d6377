import { renderClassList } from './render.js';

/**
 * Browser entry of the dashboard page: reads the connection form, calls `GET <server>/schemas` with the
 * master key and shows the class list. The master key stays in this tab's sessionStorage only.
 */
const STORAGE_KEY = 'strata-dashboard-connection';

interface Connection {
  serverURL: string;
  appId: string;
  masterKey: string;
}

function input(id: string): HTMLInputElement {
  const element = document.getElementById(id);
  if (!(element instanceof HTMLInputElement)) throw new TypeError(`#${id} is not an input`);
  return element;
}

function readForm(): Connection {
  return {
    serverURL: input('server-url').value.replace(/\/+$/, ''),
    appId: input('app-id').value,
    masterKey: input('master-key').value,
  };
}

function restore(): void {
  const saved = sessionStorage.getItem(STORAGE_KEY);
  const connection: Partial<Connection> = saved ? (JSON.parse(saved) as Partial<Connection>) : {};
  input('server-url').value = connection.serverURL ?? `${location.origin}/parse`;
  input('app-id').value = connection.appId ?? '';
  input('master-key').value = connection.masterKey ?? '';
}

async function loadClasses(output: HTMLElement): Promise<void> {
  const connection = readForm();
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(connection));
  output.textContent = 'Loading…';
  try {
    const response = await fetch(`${connection.serverURL}/schemas`, {
      headers: { 'X-Parse-Application-Id': connection.appId, 'X-Parse-Master-Key': connection.masterKey },
    });
    const body: unknown = await response.json();
    if (!response.ok) {
      const error = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['error'] : undefined;
      output.textContent = `Error ${response.status}: ${typeof error === 'string' ? error : 'request failed'}`;
      return;
    }
    output.innerHTML = renderClassList(body);
  } catch (err) {
    output.textContent = `Cannot reach the server: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export function startDashboard(): void {
  restore();
  const form = document.getElementById('connection');
  const output = document.getElementById('classes');
  if (!(form instanceof HTMLFormElement) || !output) return;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void loadClasses(output);
  });
  if (input('app-id').value && input('master-key').value) void loadClasses(output);
}
