import { useEffect, useState } from 'react';
import type { LogEntry, RestObject } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { Messages } from '../components/Messages.js';
import { parseJsonObject, useAction, useLoad } from '../use-load.js';
import { DangerButton, DataTable } from '../components/DataTable.js';
import { ActionForm } from '../components/ActionForm.js';

/**
 * Cloud jobs: run one now with params, schedule runs (`/cloud_code/jobs`, parse-dashboard's format), and
 * follow each run's status, progress, message and log lines (`_JobStatus`, `/scriptlog?jobId=`).
 */
export function Jobs() {
  const { client, session, route } = useApp();
  const data = useLoad(() => client.jobs.data(), [client]);
  const [runsVersion, setRunsVersion] = useState(0);
  const [selectedRun, setSelectedRun] = useState<string | undefined>();
  const { error, notice, act } = useAction(() => setRunsVersion((v) => v + 1));
  const [job, setJob] = useState(route.params.get('job') ?? '');
  const [params, setParams] = useState('{}');
  const jobs = data.data?.jobs ?? [];
  const chosen = job !== '' ? job : (jobs[0] ?? '');
  return (
    <section aria-labelledby="jobs-title" className="stack">
      <h1 id="jobs-title">Jobs</h1>
      <Messages error={data.error ?? error} notice={notice} />
      {data.data !== undefined && jobs.length === 0 && (
        <p className="empty-state">No jobs: define one with Parse.Cloud.job in cloud code.</p>
      )}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void act(`Started ${chosen}`, async () => {
            const id = await client.jobs.run(chosen, parseJsonObject(params, 'The params'));
            setSelectedRun(id);
          });
        }}
      >
        <label>
          Job{' '}
          <select value={chosen} aria-label="Job" onChange={(e) => setJob(e.target.value)}>
            {jobs.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          Params (JSON){' '}
          <input
            value={params}
            aria-label="Params (JSON)"
            onChange={(e) => setParams(e.target.value)}
            spellCheck={false}
          />
        </label>
        <button type="submit" className="primary" disabled={session.readOnly || chosen === ''}>
          Run now
        </button>
      </form>
      <Runs version={runsVersion} selected={selectedRun} onSelect={setSelectedRun} />
      {selectedRun !== undefined && <RunLog statusId={selectedRun} key={selectedRun} />}
      <Schedules jobs={jobs} />
    </section>
  );
}

const finished = (run: RestObject): boolean => run['status'] === 'succeeded' || run['status'] === 'failed';

/** The latest runs, refreshed every two seconds while one is still running. */
function Runs(props: { version: number; selected: string | undefined; onSelect: (id: string) => void }) {
  const { client } = useApp();
  const [tick, setTick] = useState(0);
  const runs = useLoad(() => client.jobs.statuses({ limit: 50 }), [client, props.version, tick]);
  const running = runs.data?.some((run) => !finished(run)) === true;
  useEffect(() => {
    if (!running) return undefined;
    const timer = setTimeout(() => setTick((t) => t + 1), 2000);
    return () => clearTimeout(timer);
  }, [running, runs.data]);
  return (
    <>
      <h2>Runs</h2>
      <Messages error={runs.error} />
      <DataTable
        columns={['Job', 'Status', 'Progress', 'Message', 'Started', 'Finished']}
        actions="Log"
        caption="The latest 50 job runs"
        captionHidden
      >
        {runs.data?.map((run) => {
          const progress = typeof run['progress'] === 'number' ? run['progress'] : undefined;
          return (
            <tr key={run.objectId} data-run-id={run.objectId} aria-selected={props.selected === run.objectId}>
              <th scope="row">{String(run['jobName'] ?? '')}</th>
              <td className={`status-${String(run['status'])}`}>{String(run['status'] ?? '')}</td>
              <td>
                {progress !== undefined && (
                  <progress max={100} value={progress} aria-label={`Progress of ${run.objectId}`}>
                    {progress}%
                  </progress>
                )}
              </td>
              <td>{typeof run['message'] === 'string' ? run['message'] : ''}</td>
              <td>{(run.createdAt ?? '').replace('T', ' ').replace(/\.\d+Z$/, '')}</td>
              <td>{dateOf(run['finishedAt'])}</td>
              <td>
                <button type="button" className="link" onClick={() => props.onSelect(run.objectId)}>
                  Log of {run.objectId}
                </button>
              </td>
            </tr>
          );
        })}
      </DataTable>
      {runs.data?.length === 0 && <p className="empty-state">No runs yet.</p>}
    </>
  );
}

function dateOf(value: unknown): string {
  const iso =
    value !== null && typeof value === 'object' && typeof (value as { iso?: unknown }).iso === 'string'
      ? (value as { iso: string }).iso
      : typeof value === 'string'
        ? value
        : '';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, '');
}

/** The log lines one run wrote through `request.log` (this server's buffer), oldest first, polled. */
function RunLog(props: { statusId: string }) {
  const { client } = useApp();
  const [entries, setEntries] = useState<LogEntry[]>([]);
  useEffect(() => {
    let live = true;
    const load = (): void => {
      void client.logs({ jobId: props.statusId, level: 'debug', order: 'asc', size: 500 }).then(
        (list) => live && setEntries(list),
        () => undefined,
      );
    };
    load();
    const timer = setInterval(load, 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, props.statusId]);
  return (
    <div className="stack">
      <h2>Log of run {props.statusId}</h2>
      <ol className="job-log" aria-label={`Log of run ${props.statusId}`}>
        {entries.map((entry, i) => (
          <li key={`${entry.timestamp}-${i}`} className={`level-${entry.level}`}>
            <time>{entry.timestamp.slice(11, 23)}</time> <span className="muted">{entry.level}</span> {entry.message}
          </li>
        ))}
      </ol>
      {entries.length === 0 && <p className="empty-state">No log lines from this run on this server.</p>}
    </div>
  );
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function Schedules(props: { jobs: readonly string[] }) {
  const { client, session } = useApp();
  const schedules = useLoad(() => client.jobs.schedules(), [client]);
  const { error, notice, act } = useAction(schedules.reload);
  const readOnly = session.readOnly;
  return (
    <>
      <h2>Schedules</h2>
      <Messages error={schedules.error ?? error} notice={notice} />
      <DataTable columns={['Description', 'Job', 'Starts', 'Time of day (UTC)', 'Repeats every']} actions="Actions">
        {schedules.data?.map((s) => (
          <tr key={s.objectId}>
            <th scope="row">{String(s['description'] ?? '')}</th>
            <td>{String(s['jobName'] ?? '')}</td>
            <td>{dateOf(s['startAfter'])}</td>
            <td>{String(s['timeOfDay'] ?? '')}</td>
            <td>{typeof s['repeatMinutes'] === 'number' ? `${s['repeatMinutes']} min` : 'once a day'}</td>
            <td>
              <DangerButton
                disabled={readOnly}
                onClick={() => void act('Deleted the schedule', () => client.jobs.removeSchedule(s.objectId))}
              >
                Delete schedule {String(s['description'] ?? s.objectId)}
              </DangerButton>
            </td>
          </tr>
        ))}
      </DataTable>
      <ActionForm
        className="stack schedule-form"
        onSubmit={(values) => {
          const repeat = values.text('repeatMinutes');
          const timeOfDay = values.text('timeOfDay');
          const startAfter = values.text('startAfter');
          const days = DAYS.map((d) => values.checked(`day-${d}`));
          return act('Scheduled', async () => {
            const params = parseJsonObject(values.raw('params'), 'The params');
            await client.jobs.schedule({
              jobName: values.raw('jobName'),
              description: values.raw('description'),
              params: JSON.stringify(params),
              daysOfWeek: days,
              ...(startAfter === '' ? {} : { startAfter: new Date(`${startAfter}Z`).toISOString() }),
              ...(timeOfDay === '' ? {} : { timeOfDay: `${timeOfDay}:00.000Z` }),
              ...(repeat === '' ? {} : { repeatMinutes: Number(repeat) }),
            });
          });
        }}
      >
        <fieldset disabled={readOnly}>
          <legend>New schedule</legend>
          <label>
            Description <input name="description" required />
          </label>
          <label>
            Job to schedule{' '}
            <select name="jobName" aria-label="Job to schedule">
              {props.jobs.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <label>
            Schedule params (JSON){' '}
            <input name="params" aria-label="Schedule params (JSON)" defaultValue="{}" spellCheck={false} />
          </label>
          <label>
            Start after (UTC) <input name="startAfter" type="datetime-local" />
          </label>
          <label>
            Time of day (UTC) <input name="timeOfDay" type="time" />
          </label>
          <label>
            Repeat every (minutes) <input name="repeatMinutes" type="number" min={1} />
          </label>
          <fieldset className="days">
            <legend>Days</legend>
            {DAYS.map((d) => (
              <label key={d}>
                <input type="checkbox" name={`day-${d}`} defaultChecked /> {d}
              </label>
            ))}
          </fieldset>
          <button type="submit">Add schedule</button>
        </fieldset>
      </ActionForm>
    </>
  );
}
