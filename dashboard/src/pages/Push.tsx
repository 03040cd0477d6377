import { useEffect, useState } from 'react';
import type { RestObject } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { Messages } from '../components/Messages.js';
import { errorText, parseJsonObject, useAction, useLoad } from '../use-load.js';
import { DataTable } from '../components/DataTable.js';

const DEVICE_TYPES = ['ios', 'android', 'web'] as const;

interface Audience {
  readonly objectId: string;
  readonly name: string;
  readonly query: Record<string, unknown>;
}

/** The `_Installation` where the builder describes: device types, channels, and any extra JSON. */
function builtWhere(options: { devices: readonly string[]; channels: string; extra: string }): Record<string, unknown> {
  const where: Record<string, unknown> = { ...parseJsonObject(options.extra, 'The extra conditions') };
  if (options.devices.length > 0 && options.devices.length < DEVICE_TYPES.length) {
    where['deviceType'] = { $in: options.devices };
  }
  const channels = options.channels
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (channels.length > 0) where['channels'] = { $in: channels };
  return where;
}

/**
 * Push (the push engineer's `/push`, `/push_audiences`, `_PushStatus`): an audience builder with the number
 * of devices it reaches, a message with a preview, sending now or at a time, and the status of each campaign.
 */
export function Push() {
  const { client, session } = useApp();
  const readOnly = session.readOnly;
  const audiences = useLoad(async () => (await client.push.audiences()) as unknown as Audience[], [client]);
  const [campaignsVersion, setCampaignsVersion] = useState(0);
  const { error, notice, act } = useAction(() => setCampaignsVersion((v) => v + 1));
  const [audienceId, setAudienceId] = useState('');
  const [devices, setDevices] = useState<string[]>([...DEVICE_TYPES]);
  const [channels, setChannels] = useState('');
  const [extra, setExtra] = useState('');
  const [title, setTitle] = useState('');
  const [alert, setAlert] = useState('');
  const [badge, setBadge] = useState('');
  const [data, setData] = useState('');
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [pushTime, setPushTime] = useState('');
  const [expiresIn, setExpiresIn] = useState('');
  const [reach, setReach] = useState<string>('');
  const [audienceName, setAudienceName] = useState('');
  const saved = audiences.data?.find((a) => a.objectId === audienceId);

  let where: Record<string, unknown> | undefined;
  let whereError: string | undefined;
  try {
    where = saved?.query ?? builtWhere({ devices, channels, extra });
  } catch (err) {
    whereError = errorText(err);
  }
  const whereText = JSON.stringify(where ?? {});
  useEffect(() => {
    if (whereError !== undefined) return undefined;
    let live = true;
    const timer = setTimeout(() => {
      client.objects.count('_Installation', JSON.parse(whereText) as Record<string, unknown>).then(
        (n) => live && setReach(`Reaches ${n.toLocaleString()} device${n === 1 ? '' : 's'}`),
        (err: unknown) => live && setReach(errorText(err)),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, whereText, whereError]);

  const send = (): Promise<boolean> =>
    act(when === 'now' ? 'Push sent' : 'Push scheduled', async () => {
      if (where === undefined) throw new Error(whereError ?? 'Invalid audience.');
      const payload: Record<string, unknown> = { ...parseJsonObject(data, 'The custom data') };
      if (alert.trim() !== '') payload['alert'] = alert;
      if (title.trim() !== '') payload['title'] = title;
      if (badge.trim() !== '') payload['badge'] = badge === 'Increment' ? badge : Number(badge);
      if (when === 'later' && pushTime === '') throw new Error('Pick the time to send at.');
      await client.push.send({
        where,
        data: payload,
        ...(when === 'later' ? { push_time: new Date(pushTime).toISOString() } : {}),
        ...(expiresIn.trim() === '' ? {} : { expiration_interval: Number(expiresIn) * 3600 }),
        ...(saved === undefined ? {} : { audience_id: saved.objectId }),
      });
    });

  return (
    <section aria-labelledby="push-title" className="stack">
      <h1 id="push-title">Push notifications</h1>
      <Messages error={audiences.error ?? error} notice={notice} />
      <div className="push-composer">
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <fieldset disabled={readOnly}>
            <legend>Audience</legend>
            <label>
              Saved audience{' '}
              <select value={audienceId} onChange={(e) => setAudienceId(e.target.value)} aria-label="Saved audience">
                <option value="">Build one below</option>
                {audiences.data?.map((a) => (
                  <option key={a.objectId} value={a.objectId}>
                    {a.name}
                  </option>
                ))}
              </select>
            </label>
            {saved === undefined && (
              <>
                <fieldset className="days">
                  <legend>Device types</legend>
                  {DEVICE_TYPES.map((d) => (
                    <label key={d}>
                      <input
                        type="checkbox"
                        checked={devices.includes(d)}
                        onChange={(e) =>
                          setDevices(e.target.checked ? [...devices, d] : devices.filter((x) => x !== d))
                        }
                      />{' '}
                      {d}
                    </label>
                  ))}
                </fieldset>
                <label>
                  Channels (comma-separated) <input value={channels} onChange={(e) => setChannels(e.target.value)} />
                </label>
                <label>
                  More conditions (JSON where on _Installation){' '}
                  <input
                    value={extra}
                    onChange={(e) => setExtra(e.target.value)}
                    placeholder='{"appVersion": "2.0"}'
                    spellCheck={false}
                  />
                </label>
              </>
            )}
            <p role="status" className="muted" aria-live="polite">
              {whereError ?? reach}
            </p>
            {saved === undefined && (
              <div className="inline-form">
                <label>
                  Audience name <input value={audienceName} onChange={(e) => setAudienceName(e.target.value)} />
                </label>
                <button
                  type="button"
                  disabled={audienceName.trim() === ''}
                  onClick={() => {
                    const name = audienceName.trim();
                    void act(`Saved audience ${name}`, async () => {
                      if (where === undefined) throw new Error(whereError ?? 'Invalid audience.');
                      await client.request({ method: 'POST', path: '/push_audiences', body: { name, query: where } });
                      setAudienceName('');
                      audiences.reload();
                    });
                  }}
                >
                  Save as audience
                </button>
              </div>
            )}
          </fieldset>
          <fieldset disabled={readOnly}>
            <legend>Message</legend>
            <label>
              Title <input value={title} onChange={(e) => setTitle(e.target.value)} />
            </label>
            <label>
              Message <textarea value={alert} onChange={(e) => setAlert(e.target.value)} rows={3} />
            </label>
            <label>
              Badge{' '}
              <input
                value={badge}
                onChange={(e) => setBadge(e.target.value)}
                placeholder="a number, or Increment"
                pattern="[0-9]+|Increment"
              />
            </label>
            <label>
              Custom data (JSON){' '}
              <input value={data} onChange={(e) => setData(e.target.value)} placeholder='{"screen": "offers"}' />
            </label>
          </fieldset>
          <fieldset disabled={readOnly}>
            <legend>When</legend>
            <label>
              <input type="radio" name="when" checked={when === 'now'} onChange={() => setWhen('now')} /> Send now
            </label>
            <label>
              <input type="radio" name="when" checked={when === 'later'} onChange={() => setWhen('later')} /> Send at
            </label>
            {when === 'later' && (
              <label>
                Send time <input type="datetime-local" value={pushTime} onChange={(e) => setPushTime(e.target.value)} />
              </label>
            )}
            <label>
              Expires after (hours){' '}
              <input type="number" min={1} value={expiresIn} onChange={(e) => setExpiresIn(e.target.value)} />
            </label>
            <button type="submit" className="primary">
              {when === 'now' ? 'Send push' : 'Schedule push'}
            </button>
          </fieldset>
        </form>
        <aside className="push-preview" aria-label="Preview">
          <div className="phone">
            <div className="notification">
              <strong>{title === '' ? 'App name' : title}</strong>
              <p>{alert === '' ? 'Your message appears here.' : alert}</p>
            </div>
          </div>
        </aside>
      </div>
      <Campaigns version={campaignsVersion} />
    </section>
  );
}

function parsedText(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value ?? '');
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed !== null && typeof parsed === 'object' && typeof (parsed as { alert?: unknown }).alert === 'string') {
      return (parsed as { alert: string }).alert;
    }
    return value;
  } catch {
    return value;
  }
}

/** `_PushStatus`, newest first, refreshed while a campaign is pending, scheduled or running. */
function Campaigns(props: { version: number }) {
  const { client } = useApp();
  const [tick, setTick] = useState(0);
  const campaigns = useLoad(() => client.push.statuses({ limit: 50 }), [client, props.version, tick]);
  const active = campaigns.data?.some((c) => ['pending', 'running'].includes(String(c['status']))) === true;
  useEffect(() => {
    if (!active) return undefined;
    const timer = setTimeout(() => setTick((t) => t + 1), 2000);
    return () => clearTimeout(timer);
  }, [active, campaigns.data]);
  return (
    <>
      <h2>Campaigns</h2>
      <Messages error={campaigns.error} />
      <DataTable
        columns={['Sent or scheduled for', 'Message', 'Audience', 'Status', 'Sent', 'Failed']}
        caption="Pushes, newest first"
        captionHidden
      >
        {campaigns.data?.map((c: RestObject) => (
          <tr key={c.objectId} data-push-id={c.objectId}>
            <th scope="row">
              {String(c['pushTime'] ?? c.createdAt ?? '')
                .replace('T', ' ')
                .replace(/\.\d+Z?$/, '')}
            </th>
            <td>{parsedText(c['payload'])}</td>
            <td>
              <code>{typeof c['query'] === 'string' ? c['query'] : JSON.stringify(c['query'] ?? {})}</code>
            </td>
            <td className={c['status'] === 'failed' ? 'status-failed' : undefined}>{String(c['status'] ?? '')}</td>
            <td>{typeof c['numSent'] === 'number' ? c['numSent'] : ''}</td>
            <td>{typeof c['numFailed'] === 'number' ? c['numFailed'] : ''}</td>
          </tr>
        ))}
      </DataTable>
      {campaigns.data?.length === 0 && <p className="empty-state">No pushes yet.</p>}
    </>
  );
}
