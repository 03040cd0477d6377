/**
 * How long a fuzz door may run, and what a stop at the limit means (shared by fuzz.test.ts and
 * fuzz-doors.test.ts):
 * - STRATA_FUZZ_SECONDS (default 600) caps each door from its own start;
 * - STRATA_FUZZ_DEADLINE (epoch milliseconds) stops every door at one wall-clock time (`bench/fuzz.js
 *   --max-minutes` sets it for all its processes);
 * - a door stopped by either limit fails, unless STRATA_FUZZ_PARTIAL=1 (the bench's long run), where it reports
 *   how many it sent and passes: the count printed is the count sent, never the count asked;
 * - STRATA_FUZZ_IN_BACKGROUND=1 (set by .ci/run): the fuzz files skip themselves, bench/fuzz.js --ci runs them;
 * - STRATA_FUZZ_PROGRESS=<seconds> prints `# progress <door>: <sent> of <asked>` that often (the bench reads the
 *   last one of a process it had to kill).
 */

const SECONDS = Number(process.env['STRATA_FUZZ_SECONDS'] ?? 600);
const DEADLINE = Number(process.env['STRATA_FUZZ_DEADLINE'] ?? Number.POSITIVE_INFINITY);
const PROGRESS_SECONDS = Number(process.env['STRATA_FUZZ_PROGRESS'] ?? 0);

/**
 * Set when `.ci/run` runs these doors itself, beside typecheck and lint (`node bench/fuzz.js --ci`, each door in
 * its own process while the second core would idle): `npm test` then skips the fuzz files, saying so.
 */
export const IN_BACKGROUND: string | false =
  process.env['STRATA_FUZZ_IN_BACKGROUND'] === '1'
    ? 'run by .ci/run beside typecheck and lint (node bench/fuzz.js --ci, its own check "fuzz"), not twice'
    : false;

/** May a stop at the time limit pass (reporting the partial count)? */
export const PARTIAL_OK = process.env['STRATA_FUZZ_PARTIAL'] === '1';

/** node:test's timeout for a door's test: past its time limit, with room for the final report. */
export const DOOR_TIMEOUT_MS =
  Math.min(SECONDS * 1000, Number.isFinite(DEADLINE) ? Math.max(0, DEADLINE - Date.now()) : Number.POSITIVE_INFINITY) +
  120_000;

export class DoorBudget {
  readonly started = Date.now();
  readonly stopAt = Math.min(this.started + SECONDS * 1000, DEADLINE);
  #stopped = false;
  readonly #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly door: string,
    readonly asked: number,
    sent: () => number,
  ) {
    if (PROGRESS_SECONDS > 0) {
      this.#timer = setInterval(() => {
        console.log(`# progress ${door}: ${sent()} of ${asked} in ${Math.round((Date.now() - this.started) / 1000)} s`);
      }, PROGRESS_SECONDS * 1000);
      this.#timer.unref();
    }
  }

  /** True once the time is up (and from then on): the caller sends nothing more. */
  expired(): boolean {
    if (!this.#stopped && Date.now() >= this.stopAt) this.#stopped = true;
    return this.#stopped;
  }

  /** Whether a time limit cut the door short. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Ends the door: stops the progress line, prints whether the run was cut short, and returns a failure message
   * when it was and partial runs are not allowed. `allDrawn` false: the driver drew fewer than asked.
   */
  finish(sent: number, allDrawn = true): string | undefined {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    // A driver that stops drawing by itself at the limit (fast-check's interruptAfterTimeLimit) says so here.
    if (!allDrawn) this.expired();
    if (!this.#stopped) return undefined;
    const why = this.stopAt === DEADLINE ? 'the deadline (STRATA_FUZZ_DEADLINE)' : `${SECONDS} s`;
    console.log(`# fuzz door ${this.door} stopped at ${why}: sent ${sent} of ${this.asked} asked`);
    return PARTIAL_OK ? undefined : `stopped at ${why} with ${sent} of ${this.asked} sent`;
  }
}
