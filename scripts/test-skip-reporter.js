// A node:test reporter used by scripts/test.js next to the spec reporter: it writes one JSON line per skipped
// test or suite ({file, name, type, reason}) so the runner can end with one line saying what was skipped, why,
// and how to run it. It prints nothing itself.
// node:test loads a reporter module through its default export.
// eslint-disable-next-line no-restricted-syntax
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' || event.data.skip === undefined || event.data.skip === false) continue;
    const { file, name, skip, details } = event.data;
    yield `${JSON.stringify({ file, name, type: details?.type ?? 'test', reason: skip === true ? '' : String(skip) })}\n`;
  }
}
