/** Where a progress line is drawn: standard error, or a stand-in in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** Counts of a run so far, as the progress line and the closing summary show them. */
export interface RunCounts {
  read: number;
  scored: number;
  refused: number;
}

/** A progress line that redraws itself in place. */
export interface Progress {
  /** Counts one more row; `refused` when it became an error row. */
  tick(refused?: boolean): void;
  /** Clears the line (a terminal keeps only the closing summary). */
  done(): void;
  readonly counts: RunCounts;
}

/** Options of `createProgress`. */
export interface ProgressOptions {
  /** What is counted, shown before the bar: `scoring 评分`. */
  label: string;
  /** The number of rows expected, when known up front: draws a bar with a percentage; otherwise a running count. */
  total: number | null;
  stream?: ProgressStream;
  /** Milliseconds since some fixed point; the CLI passes the clock, tests a stand-in. */
  now: () => number;
  /** Least milliseconds between two redraws. */
  every?: number;
}

const BAR_WIDTH = 30;

function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * The progress line's text for given counts: a bar when the total is known, then counts and rate.
 *
 * @param label - what is counted
 * @param counts - rows read, scored and refused so far
 * @param total - rows expected, or null when unknown
 * @param elapsedMs - time since the start
 * @returns one line, without a line break
 * @example
 * progressLine("scoring 评分", { read: 50, scored: 49, refused: 1 }, 100, 2000);
 * // "scoring 评分 [###############...............]  50% 50/100  refused 拒绝 1  25/s"
 */
export function progressLine(label: string, counts: RunCounts, total: number | null, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? Math.round((counts.read * 1000) / elapsedMs) : 0;
  const tail = `${counts.refused > 0 ? `refused 拒绝 ${thousands(counts.refused)}  ` : ""}${thousands(rate)}/s`;
  if (total === null || total <= 0) return `${label} ${thousands(counts.read)}  ${tail}`;
  const share = Math.min(1, counts.read / total);
  const filled = Math.round(share * BAR_WIDTH);
  const percent = String(Math.floor(share * 100)).padStart(3);
  return `${label} [${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${percent}% ${thousands(counts.read)}/${thousands(total)}  ${tail}`;
}

/**
 * A progress line on a terminal's standard error, redrawn at most every `every` ms; silent when the
 * stream is not a terminal (piped or redirected), so logs and CI output stay clean.
 *
 * @param options - label, total, stream, clock and redraw interval
 * @returns `{ tick, done, counts }`
 * @example
 * const progress = createProgress({ label: "scoring 评分", total: null, now: () => performance.now() });
 * for (const row of rows) progress.tick(!row.ok);
 * progress.done();
 */
// Whether a progress line stands on a terminal now, not yet cleared: an interrupt then starts a new line.
let lineOnScreen = false;

/**
 * Whether a progress line was drawn on a terminal and not cleared since (an interrupt's message then
 * starts on a line of its own; on a file or a pipe no line is ever drawn).
 *
 * @returns true while a progress line is on the screen
 */
export function progressLineShown(): boolean {
  return lineOnScreen;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const live = stream.isTTY === true;
  const every = options.every ?? 100;
  const start = options.now();
  const counts: RunCounts = { read: 0, scored: 0, refused: 0 };
  let lastDraw = -Infinity;
  let drawn = false;
  const draw = () => {
    // Room for the label's wide Chinese characters, so the line never wraps (a wrapped line cannot be redrawn).
    const width = Math.max(20, (stream.columns || 100) - 6);
    stream.write(`\r${progressLine(options.label, counts, options.total, options.now() - start).slice(0, width)}\x1b[K`);
    drawn = true;
    lineOnScreen = stream === process.stderr;
  };
  return {
    counts,
    tick(refused = false) {
      counts.read++;
      if (refused) counts.refused++;
      else counts.scored++;
      if (!live) return;
      const t = options.now();
      if (t - lastDraw >= every || counts.read === options.total) {
        lastDraw = t;
        draw();
      }
    },
    done() {
      if (live && drawn) {
        stream.write("\r\x1b[K");
        if (stream === process.stderr) lineOnScreen = false;
      }
    },
  };
}

/**
 * The closing summary of a run, English first (scripts match it) and then Chinese.
 *
 * @param counts - the final counts
 * @returns one line with a line break
 * @example
 * runSummary({ read: 3, scored: 2, refused: 1 }); // "read 3, scored 2, refused 1 (读取 3，评分 2，拒绝 1)\n"
 */
export function runSummary(counts: RunCounts): string {
  return `read ${counts.read}, scored ${counts.scored}, refused ${counts.refused} (读取 ${counts.read}，评分 ${counts.scored}，拒绝 ${counts.refused})\n`;
}
