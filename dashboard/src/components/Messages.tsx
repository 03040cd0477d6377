/** A page's outcome line: an alert for a failure, a polite status for a success. */
export function Messages(props: { error?: string | undefined; notice?: string | undefined }) {
  return (
    <>
      {props.error !== undefined && (
        <p role="alert" className="error">
          {props.error}
        </p>
      )}
      {props.notice !== undefined && props.error === undefined && (
        <p role="status" className="notice">
          {props.notice}
        </p>
      )}
    </>
  );
}
