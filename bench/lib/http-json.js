// JSON over HTTP for the benchmarks' set-up requests (seeding, schema, checks), not for the measured load.

/** Sends `body` as JSON; answers the status, the parsed answer (undefined when it is not JSON) and the text. */
export async function requestJson(url, { method = 'GET', headers, body }) {
  const res = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, json: parsed, text };
}

/** The parsed JSON answer (undefined when it is not JSON); a status of 300 or more throws with the answer. */
export async function json(url, { method = 'GET', headers = {}, body } = {}) {
  const res = await requestJson(url, { method, headers, body });
  if (res.status >= 300) throw new Error(`${method} ${url}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return res.json;
}
