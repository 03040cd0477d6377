import { useState } from 'react';
import { useApp } from '../app-context.js';
import { Messages } from '../components/Messages.js';
import { errorText, useAction, useLoad } from '../use-load.js';
import { DangerButton, DataTable } from '../components/DataTable.js';
import { ActionForm } from '../components/ActionForm.js';

/** A parameter's value as the admin types it: JSON (`"text"`, `42`, `{"a":1}`, a `__type` Date or File). */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`The value is not valid JSON (${errorText(err)}). Strings need quotes: "like this".`);
  }
}

/**
 * Parse Config (`GET/PUT /config`): the parameters clients read, with the master-key-only flag that hides a
 * parameter from them. Values are edited as JSON, so every type Parse stores round-trips.
 */
export function Config() {
  const { client, session } = useApp();
  const config = useLoad(() => client.config.get(), [client]);
  const { error, notice, act } = useAction(config.reload);
  const [editing, setEditing] = useState<string | undefined>();
  const params = config.data?.params ?? {};
  const masterKeyOnly = config.data?.masterKeyOnly ?? {};
  const names = Object.keys(params).sort();
  const readOnly = session.readOnly;
  const save = (name: string, valueText: string, hidden: boolean): Promise<boolean> =>
    act(`Saved ${name}`, () =>
      client.config.update({ params: { [name]: parseValue(valueText) }, masterKeyOnly: { [name]: hidden } }),
    );
  return (
    <section aria-labelledby="config-title" className="stack">
      <h1 id="config-title">Config</h1>
      <p className="muted">
        Clients read these with <code>Parse.Config.get()</code>; a master-key-only parameter is left out of what they
        get.
      </p>
      <Messages error={config.error ?? error} notice={notice} />
      <DataTable
        columns={['Parameter', 'Value (JSON)', 'Master key only']}
        actions="Actions"
        caption="Config parameters"
        captionHidden
      >
        {names.map((name) =>
          editing === name ? (
            <ParamEditor
              key={name}
              name={name}
              value={params[name]}
              hidden={masterKeyOnly[name] === true}
              onCancel={() => setEditing(undefined)}
              onSave={async (valueText, hidden) => {
                if (await save(name, valueText, hidden)) setEditing(undefined);
              }}
            />
          ) : (
            <tr key={name} data-param={name}>
              <th scope="row">{name}</th>
              <td>
                <code>{JSON.stringify(params[name])}</code>
              </td>
              <td>{masterKeyOnly[name] === true ? 'yes' : 'no'}</td>
              <td className="actions">
                <button type="button" disabled={readOnly} onClick={() => setEditing(name)}>
                  Edit {name}
                </button>
                <DangerButton
                  disabled={readOnly}
                  onClick={() =>
                    void act(`Deleted ${name}`, () => client.config.update({ params: { [name]: { __op: 'Delete' } } }))
                  }
                >
                  Delete {name}
                </DangerButton>
              </td>
            </tr>
          ),
        )}
      </DataTable>
      {config.data !== undefined && names.length === 0 && <p className="empty-state">No parameters yet.</p>}
      <ActionForm
        onSubmit={(values) => save(values.text('name'), values.raw('value'), values.checked('masterKeyOnly'))}
      >
        <label>
          New parameter <input name="name" required pattern="[A-Za-z0-9_]+" disabled={readOnly} />
        </label>
        <label>
          Value <input name="value" required placeholder='"text", 42, true, {"a": 1}' disabled={readOnly} />
        </label>
        <label>
          <input type="checkbox" name="masterKeyOnly" disabled={readOnly} /> Master key only
        </label>
        <button type="submit" disabled={readOnly}>
          Add parameter
        </button>
      </ActionForm>
    </section>
  );
}

function ParamEditor(props: {
  name: string;
  value: unknown;
  hidden: boolean;
  onCancel: () => void;
  onSave: (valueText: string, hidden: boolean) => void;
}) {
  const [text, setText] = useState(JSON.stringify(props.value, null, 2));
  const [hidden, setHidden] = useState(props.hidden);
  return (
    <tr data-param={props.name}>
      <th scope="row">{props.name}</th>
      <td>
        <textarea
          aria-label={`Value of ${props.name}`}
          value={text}
          rows={Math.min(10, text.split('\n').length + 1)}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
        />
      </td>
      <td>
        <label>
          <input type="checkbox" checked={hidden} onChange={(e) => setHidden(e.target.checked)} />{' '}
          <span className="visually-hidden">{props.name} is </span>master key only
        </label>
      </td>
      <td className="actions">
        <button type="button" className="primary" onClick={() => props.onSave(text, hidden)}>
          Save {props.name}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </td>
    </tr>
  );
}
