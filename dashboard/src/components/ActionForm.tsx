import type { ReactNode } from 'react';

/** A submitted form's fields: text trimmed (or as typed), checkboxes as booleans. */
export interface FormValues {
  text(name: string): string;
  raw(name: string): string;
  checked(name: string): boolean;
}

export function formValues(data: FormData): FormValues {
  return {
    text: (name) => String(data.get(name) ?? '').trim(),
    raw: (name) => String(data.get(name) ?? ''),
    checked: (name) => data.get(name) === 'on',
  };
}

/**
 * The admin pages' add/create forms: the browser's own validation (`required`, `pattern`, `type="url"`) runs
 * first, then `onSubmit` gets the fields; the form is cleared when it answers true (the write went through),
 * and kept as typed otherwise, so the admin can fix what the alert names.
 */
export function ActionForm(props: {
  className?: string;
  label?: string;
  /** False keeps what was typed after a success too (a form with controlled fields). */
  resetOnSuccess?: boolean;
  /** Answers (a promise of) true when the write went through. */
  onSubmit: (values: FormValues) => Promise<unknown> | undefined;
  children: ReactNode;
}) {
  return (
    <form
      className={props.className ?? 'inline-form'}
      aria-label={props.label}
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        void props
          .onSubmit(formValues(new FormData(form)))
          ?.then((ok) => ok === true && props.resetOnSuccess !== false && form.reset());
      }}
    >
      {props.children}
    </form>
  );
}
