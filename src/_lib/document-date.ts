/**
 * The one date every workbook the project writes carries, in its document properties
 * (`docProps/core.xml` created and modified) and on its zip entries, so that the same content gives the
 * same bytes on every run and in every time zone: the committed spreadsheets (scripts/make-spreadsheets.ts)
 * and the XLSX output of `score` alike. It says nothing about when a file was made; the file system does.
 */
export const DOCUMENT_DATE = new Date(Date.UTC(2023, 4, 31));

/** Replaces the global Date by one that reads DOCUMENT_DATE as "now"; returns the function that restores it. */
function pinClock(): () => void {
  const RealDate = Date;
  const pinned = DOCUMENT_DATE.getTime();
  class PinnedDate extends RealDate {
    constructor(...args: unknown[]) {
      super(...((args.length > 0 ? args : [pinned]) as [number]));
    }
    static override now(): number {
      return pinned;
    }
  }
  globalThis.Date = PinnedDate as DateConstructor;
  return () => {
    globalThis.Date = RealDate;
  };
}

/**
 * Runs `write` with the clock pinned to DOCUMENT_DATE, for a writer that stamps each zip entry with the
 * time it is written and takes no date (exceljs's in-memory `Workbook`, through JSZip).
 *
 * @param write - the writing, awaited with the clock pinned
 * @returns what `write` returns
 * @example
 * await withPinnedClock(() => workbook.xlsx.writeFile(path));
 */
export async function withPinnedClock<T>(write: () => Promise<T>): Promise<T> {
  const restore = pinClock();
  try {
    return await write();
  } finally {
    restore();
  }
}

/**
 * The same for a step that does not wait (a streamed workbook's constructor, which adds its first zip
 * entries at once): the clock is pinned for that step only, never while rows are read and written.
 *
 * @param step - the step
 * @returns what `step` returns
 */
export function withPinnedClockSync<T>(step: () => T): T {
  const restore = pinClock();
  try {
    return step();
  } finally {
    restore();
  }
}
