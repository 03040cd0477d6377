/**
 * The one runner of the permission matrix (`core/permission-matrix.data.json`, issue 4 and issue 19 item 2):
 * every door (REST, `/batch`, GraphQL, LiveQuery, files, aggregate, cloud code's Parse SDK, webhooks) is an
 * adapter that answers a cell (class × operation × caller) or an oracle case (caller × guess) in the data
 * file's vocabulary; the runner compares each answer with the expectation, sorts every difference into
 * bypass (the door granted what REST refuses), leak (a hidden value was shown, or an answer depended on it)
 * or mismatch (anything else), and prints one table of door × case. Not part of the build.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { matrix } from './permission-world.test-util.js';
import type { MatrixClass, OracleCase, OracleExpectation, World } from './permission-world.test-util.js';

export type Answer = string | number;

export interface Cell {
  readonly cls: MatrixClass;
  readonly operation: string;
  readonly caller: string;
  /** REST's answer for this cell, from the data file. */
  readonly rest: Answer;
}

/** One compared answer of a door's own case (one that has no row in the data file). */
export interface CaseLine {
  readonly label: string;
  readonly expected: Answer;
  readonly actual: Answer;
  /** Set when a difference means a leak whatever the values look like (e.g. a password hash in a payload). */
  readonly leak?: boolean;
}

/** One oracle question: a case, a caller and a guess. */
export interface OracleAsk {
  readonly oracle: OracleCase;
  readonly caller: string;
  readonly guess: string;
}

export interface Door {
  readonly name: string;
  /** Once per world, before the door's cases run (register hooks, open sockets). */
  setup?(world: World): Promise<void>;
  teardown?(): Promise<void>;
  /** Why this door has no form of `operation` (the cell is counted as not applicable), or undefined. */
  notApplicable?(operation: string, caller: string): string | undefined;
  /** What this door must answer where REST answers `cell.rest` (default: the same). */
  expectation?(cell: Cell): Answer;
  /** Answers one cell. */
  runCell?(world: World, cell: Cell): Promise<Answer>;
  /** Answers every applicable cell of a class at once (LiveQuery: subscribe all, write once, read events). */
  runClass?(world: World, cells: readonly Cell[]): Promise<Map<Cell, Answer>>;
  /** Why this door has no form of an oracle case, or undefined. */
  oracleNotApplicable?(oracle: OracleCase, caller: string): string | undefined;
  /** Answers an oracle case for one caller and one guess. */
  runOracle?(world: World, ask: OracleAsk): Promise<Answer>;
  /** The door's own cases, each a list of compared lines. */
  readonly cases?: readonly { readonly name: string; run(world: World): Promise<CaseLine[]> }[];
}

export type Verdict = 'pass' | 'bypass' | 'leak' | 'mismatch';

interface Tally {
  pass: number;
  bypass: number;
  leak: number;
  mismatch: number;
  na: number;
}

const denial = (answer: Answer): boolean =>
  typeof answer === 'number' ||
  answer === '0' ||
  ['dropped', 'nothing', 'no url', 'not called'].includes(answer) ||
  /^(http 4|error)/.test(answer);
const granted = (answer: Answer): boolean =>
  typeof answer === 'string' && !denial(answer) && /^([1-9]\d*|ok|included|update|downloaded)/.test(answer);

/** Sorts one answer against its expectation. */
export function verdict(expected: Answer, actual: Answer, leak = false): Verdict {
  if (String(expected) === String(actual)) return 'pass';
  if (leak) return 'leak';
  if (typeof expected === 'string' && expected.endsWith(' hidden') && actual === expected.slice(0, -' hidden'.length))
    return 'leak';
  if (denial(expected) && granted(actual)) return 'bypass';
  return 'mismatch';
}

/** Results of every door × case of one run, for the table. */
export class MatrixReport {
  readonly #rows = new Map<string, Map<string, Tally>>();
  readonly #notes = new Map<string, Set<string>>();

  #tally(door: string, name: string): Tally {
    let cases = this.#rows.get(door);
    if (cases === undefined) this.#rows.set(door, (cases = new Map()));
    let tally = cases.get(name);
    if (tally === undefined) cases.set(name, (tally = { pass: 0, bypass: 0, leak: 0, mismatch: 0, na: 0 }));
    return tally;
  }

  record(door: string, name: string, result: Verdict | { na: string }): void {
    const tally = this.#tally(door, name);
    if (typeof result === 'string') {
      tally[result] += 1;
      return;
    }
    tally.na += 1;
    let notes = this.#notes.get(door);
    if (notes === undefined) this.#notes.set(door, (notes = new Set()));
    notes.add(result.na);
  }

  totals(): Tally {
    const total: Tally = { pass: 0, bypass: 0, leak: 0, mismatch: 0, na: 0 };
    for (const cases of this.#rows.values())
      for (const t of cases.values()) for (const k of Object.keys(total) as (keyof Tally)[]) total[k] += t[k];
    return total;
  }

  /** Markdown: a summary per door, then door × case (cell: passed/compared, and any bypass, leak, mismatch). */
  table(title: string): string {
    const caseNames = [...new Set([...this.#rows.values()].flatMap((cases) => [...cases.keys()]))];
    const lines = [`### ${title}`, '', '| door | compared | pass | bypass | leak | mismatch | not applicable |'];
    lines.push('|---|---:|---:|---:|---:|---:|---:|');
    const sum = (cases: Map<string, Tally>): Tally => {
      const t: Tally = { pass: 0, bypass: 0, leak: 0, mismatch: 0, na: 0 };
      for (const c of cases.values()) for (const k of Object.keys(t) as (keyof Tally)[]) t[k] += c[k];
      return t;
    };
    for (const [door, cases] of this.#rows) {
      const t = sum(cases);
      const compared = t.pass + t.bypass + t.leak + t.mismatch;
      lines.push(`| ${door} | ${compared} | ${t.pass} | ${t.bypass} | ${t.leak} | ${t.mismatch} | ${t.na} |`);
    }
    const all = this.totals();
    const compared = all.pass + all.bypass + all.leak + all.mismatch;
    lines.push(
      `| **all** | **${compared}** | **${all.pass}** | **${all.bypass}** | **${all.leak}** | **${all.mismatch}** | **${all.na}** |`,
    );
    lines.push('', `| case | ${[...this.#rows.keys()].join(' | ')} |`, `|---|${'---:|'.repeat(this.#rows.size)}`);
    for (const name of caseNames) {
      const cells = [...this.#rows.values()].map((cases) => {
        const t = cases.get(name);
        if (t === undefined) return '–';
        const compared = t.pass + t.bypass + t.leak + t.mismatch;
        if (compared === 0) return 'n/a';
        const bad = [
          t.bypass > 0 ? `${t.bypass} bypass` : '',
          t.leak > 0 ? `${t.leak} leak` : '',
          t.mismatch > 0 ? `${t.mismatch} mismatch` : '',
        ].filter(Boolean);
        return `${t.pass}/${compared}${bad.length > 0 ? ` (${bad.join(', ')})` : ''}`;
      });
      lines.push(`| ${name} | ${cells.join(' | ')} |`);
    }
    lines.push('', 'Not applicable, by door:', '');
    for (const [door, notes] of this.#notes) lines.push(`- ${door}: ${[...notes].join('; ')}`);
    return `${lines.join('\n')}\n`;
  }
}

/** A whole comparison as assert.deepEqual sees it: one line per answer, expected against actual. */
function compare(lines: readonly { label: string; expected: Answer; actual: Answer }[]): void {
  assert.deepEqual(
    lines.map((l) => `${l.label}: ${String(l.actual)}`),
    lines.map((l) => `${l.label}: ${String(l.expected)}`),
  );
}

/** Runs `work` over `items`, at most `CONCURRENCY` at once, answers in the items' order. */
const CONCURRENCY = 6;
async function pool<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      out[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}

function oracleExpectation(oracle: OracleCase, callerIndex: number, guessIndex: number): Answer {
  const expectation = oracle.expect[callerIndex] as OracleExpectation;
  return (Array.isArray(expectation) ? expectation[guessIndex] : expectation) as Answer;
}

async function runOracleCase(options: { world: World; door: Door; report: MatrixReport; oracle: OracleCase }) {
  const { world, door, report, oracle } = options;
  const name = `oracle: ${oracle.door}`;
  const lines: { label: string; expected: Answer; actual: Answer }[] = [];
  for (const [index, caller] of matrix.callers.entries()) {
    const reason = door.oracleNotApplicable?.(oracle, caller);
    if (reason !== undefined || door.runOracle === undefined) {
      report.record(door.name, name, { na: reason ?? 'no oracle form' });
      continue;
    }
    const runOracle = door.runOracle.bind(door);
    const answers = await pool([...oracle.guesses], (guess) => runOracle(world, { oracle, caller, guess }));
    for (const [g, guess] of oracle.guesses.entries()) {
      lines.push({
        label: `${caller}, guess ${guess}`,
        expected: oracleExpectation(oracle, index, g),
        actual: answers[g] as Answer,
      });
    }
    // The oracle property: where one answer is expected for every guess, answers that differ by guess leak.
    const constant = !Array.isArray(oracle.expect[index]);
    const varies = new Set(answers.map(String)).size > 1;
    for (const [g, actual] of answers.entries())
      report.record(door.name, name, verdict(oracleExpectation(oracle, index, g), actual, constant && varies));
  }
  compare(lines);
}

async function runClassCase(options: { world: World; door: Door; report: MatrixReport; cls: MatrixClass }) {
  const { world, door, report, cls } = options;
  const cells: Cell[] = [];
  // Reads first, then writes (the data file's order), so a write never changes what a read sees.
  for (const operation of matrix.operations) {
    const row = cls.expect[operation];
    assert.ok(row !== undefined && row.length === matrix.callers.length, `${cls.className}.${operation} row`);
    for (const [index, caller] of matrix.callers.entries()) {
      const reason = door.notApplicable?.(operation, caller);
      if (reason !== undefined) report.record(door.name, cls.className, { na: reason });
      else cells.push({ cls, operation, caller, rest: row[index] as Answer });
    }
  }
  let answers: Map<Cell, Answer>;
  if (door.runClass !== undefined) answers = await door.runClass(world, cells);
  else {
    const runCell = door.runCell?.bind(door);
    assert.ok(runCell !== undefined, `${door.name} answers no cell`);
    // Cells run a few at a time: no write cell changes what a read cell counts (writes touch `note`, create
    // objects titled 'new' and delete their own fresh objects), so the order does not matter.
    const results = await pool(cells, (cell) => runCell(world, cell));
    answers = new Map(cells.map((cell, i) => [cell, results[i] as Answer]));
  }
  const lines = cells.map((cell) => ({
    label: `${cell.operation} as ${cell.caller}`,
    expected: door.expectation?.(cell) ?? cell.rest,
    actual: answers.get(cell) as Answer,
  }));
  for (const line of lines) report.record(door.name, cls.className, verdict(line.expected, line.actual));
  compare(lines);
}

/**
 * Runs every door over one world as a `describe` per door (oracles first: they only read), records every
 * answer in `report`, and checks at the end that no door bypassed or leaked. `build` makes the world.
 */
export function matrixSuite(options: {
  title: string;
  skip: string | false;
  build: () => Promise<World>;
  doors: readonly Door[];
  report: MatrixReport;
}): void {
  const { doors, report } = options;
  describe(options.title, { skip: options.skip }, () => {
    let world: World;
    before(async () => {
      world = await options.build();
    });
    after(async () => {
      await world?.server.close();
      const table = report.table(options.title);
      console.log(`\n${table}`);
      // `STRATA_MATRIX_TABLE=<file>` appends the table there (how docs/permission-matrix.md is made).
      const out = process.env['STRATA_MATRIX_TABLE'];
      if (out !== undefined) writeFileSync(out, `${table}\n`, { flag: 'a' });
    });
    for (const door of doors) {
      describe(door.name, () => {
        before(async () => {
          await door.setup?.(world);
        });
        after(async () => {
          await door.teardown?.();
        });
        for (const oracle of matrix.oracles.cases)
          it(`oracle: ${oracle.door}`, () => runOracleCase({ world, door, report, oracle }));
        for (const cls of matrix.classes)
          it(`${cls.className}: ${cls.about}`, () => runClassCase({ world, door, report, cls }));
        for (const own of door.cases ?? []) {
          it(own.name, async () => {
            const lines = await own.run(world);
            for (const line of lines)
              report.record(door.name, own.name, verdict(line.expected, line.actual, line.leak));
            compare(lines);
          });
        }
      });
    }
    it('no door bypasses a permission or leaks a hidden value', () => {
      const totals = report.totals();
      assert.equal(totals.bypass, 0, report.table(options.title));
      assert.equal(totals.leak, 0, report.table(options.title));
      assert.ok(totals.pass > 0, 'the matrix compared nothing');
    });
  });
}
