import { useState } from 'react';
import type { ClassSchema } from '@strata/sdk/admin';
import { OPERATORS, buildWhere } from '../filters.js';
import type { Condition, FilterOperator } from '../filters.js';
import { orderedFields } from '../values.js';

/** Builds a list of conditions and applies them as one `where`. */
export function FilterBar(props: { schema: ClassSchema; onApply: (where: Record<string, unknown>) => void }) {
  const fields = orderedFields(props.schema.fields);
  const [conditions, setConditions] = useState<Condition[]>([]);
  const [error, setError] = useState<string | undefined>();
  const update = (i: number, change: Partial<Condition>): void =>
    setConditions(conditions.map((c, j) => (j === i ? { ...c, ...change } : c)));
  const apply = (list: Condition[]): void => {
    try {
      props.onApply(buildWhere(list, props.schema.fields));
      setError(undefined);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div className="filter-bar" role="group" aria-label="Filters">
      {conditions.map((c, i) => {
        const needsValue = OPERATORS.find((o) => o.op === c.op)?.needsValue ?? true;
        return (
          <div className="condition" key={i}>
            <select
              aria-label={`Filter ${i + 1} field`}
              value={c.field}
              onChange={(e) => update(i, { field: e.target.value })}
            >
              {fields.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
            <select
              aria-label={`Filter ${i + 1} operator`}
              value={c.op}
              onChange={(e) => update(i, { op: e.target.value as FilterOperator })}
            >
              {OPERATORS.map((o) => (
                <option key={o.op} value={o.op}>
                  {o.label}
                </option>
              ))}
            </select>
            {needsValue && (
              <input
                aria-label={`Filter ${i + 1} value`}
                value={c.value}
                onChange={(e) => update(i, { value: e.target.value })}
              />
            )}
            <button
              type="button"
              aria-label={`Remove filter ${i + 1}`}
              onClick={() => setConditions(conditions.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </div>
        );
      })}
      <button
        type="button"
        onClick={() => setConditions([...conditions, { field: fields[0] ?? 'objectId', op: 'eq', value: '' }])}
      >
        Add filter
      </button>
      <button type="button" className="primary" onClick={() => apply(conditions)}>
        Apply filters
      </button>
      {conditions.length > 0 && (
        <button
          type="button"
          onClick={() => {
            setConditions([]);
            apply([]);
          }}
        >
          Clear
        </button>
      )}
      {error !== undefined && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </div>
  );
}
