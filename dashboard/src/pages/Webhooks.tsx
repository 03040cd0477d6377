import { useApp } from '../app-context.js';
import { Messages } from '../components/Messages.js';
import { useAction, useLoad } from '../use-load.js';
import { DangerButton, DataTable } from '../components/DataTable.js';
import { ActionForm } from '../components/ActionForm.js';

/** The triggers a webhook can be registered for (Parse's `/hooks/triggers` names). */
const TRIGGERS = [
  'beforeSave',
  'afterSave',
  'beforeDelete',
  'afterDelete',
  'beforeFind',
  'afterFind',
  'beforeLogin',
  'afterLogin',
  'afterLogout',
] as const;

/**
 * Webhooks (`/hooks`): cloud functions and triggers served by another HTTP server. A webhook of the same
 * name as an in-process function or trigger wins while it exists.
 */
export function Webhooks() {
  const { client, session } = useApp();
  const hooks = useLoad(
    async () => ({ functions: await client.hooks.functions(), triggers: await client.hooks.triggers() }),
    [client],
  );
  const { error, notice, act } = useAction(hooks.reload);
  const readOnly = session.readOnly;
  return (
    <section aria-labelledby="webhooks-title" className="stack">
      <h1 id="webhooks-title">Webhooks</h1>
      <p className="muted">
        Strata POSTs the request to the URL, with the webhook key in <code>X-Parse-Webhook-Key</code>.
      </p>
      <Messages error={hooks.error ?? error} notice={notice} />
      <h2>Function webhooks</h2>
      <DataTable columns={['Function', 'URL']} actions="Actions">
        {hooks.data?.functions.map((hook) => (
          <HookRow
            key={hook.functionName}
            heading={hook.functionName}
            url={hook.url}
            deleteLabel={`Delete webhook ${hook.functionName}`}
            disabled={readOnly}
            onDelete={() =>
              void act(`Deleted ${hook.functionName}`, () => client.hooks.removeFunction(hook.functionName))
            }
          />
        ))}
      </DataTable>
      <ActionForm
        onSubmit={(values) => {
          const functionName = values.text('functionName');
          return act(`Added ${functionName}`, () =>
            client.hooks.createFunction({ functionName, url: values.text('url') }),
          );
        }}
      >
        <label>
          Function name <input name="functionName" required disabled={readOnly} />
        </label>
        <label>
          Function URL <input name="url" type="url" required disabled={readOnly} />
        </label>
        <button type="submit" disabled={readOnly}>
          Add function webhook
        </button>
      </ActionForm>
      <h2>Trigger webhooks</h2>
      <DataTable columns={['Class', 'Trigger', 'URL']} actions="Actions">
        {hooks.data?.triggers.map((hook) => (
          <HookRow
            key={`${hook.className}:${hook.triggerName}`}
            heading={hook.className}
            cells={[hook.triggerName]}
            url={hook.url}
            deleteLabel={`Delete webhook ${hook.triggerName} ${hook.className}`}
            disabled={readOnly}
            onDelete={() =>
              void act(`Deleted ${hook.triggerName} on ${hook.className}`, () =>
                client.hooks.removeTrigger(hook.className, hook.triggerName),
              )
            }
          />
        ))}
      </DataTable>
      <ActionForm
        onSubmit={(values) => {
          const className = values.text('className');
          const triggerName = values.raw('triggerName');
          return act(`Added ${triggerName} on ${className}`, () =>
            client.hooks.createTrigger({ className, triggerName, url: values.text('url') }),
          );
        }}
      >
        <label>
          Class <input name="className" required disabled={readOnly} />
        </label>
        <label>
          Trigger{' '}
          <select name="triggerName" aria-label="Trigger" disabled={readOnly}>
            {TRIGGERS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Trigger URL <input name="url" type="url" required disabled={readOnly} />
        </label>
        <button type="submit" disabled={readOnly}>
          Add trigger webhook
        </button>
      </ActionForm>
    </section>
  );
}

/** One webhook's row: what it serves (a function, or a class and trigger), its URL and its delete button. */
function HookRow(props: {
  heading: string;
  cells?: readonly string[];
  url: string;
  deleteLabel: string;
  disabled: boolean;
  onDelete: () => void;
}) {
  return (
    <tr>
      <th scope="row">{props.heading}</th>
      {props.cells?.map((cell) => (
        <td key={cell}>{cell}</td>
      ))}
      <td>
        <code>{props.url}</code>
      </td>
      <td>
        <DangerButton disabled={props.disabled} onClick={props.onDelete}>
          {props.deleteLabel}
        </DangerButton>
      </td>
    </tr>
  );
}
