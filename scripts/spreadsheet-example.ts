/**
 * The fixture organizations (files in fixtures/organizations) that the example workbook and CSV folder in
 * fixtures/spreadsheets hold, in row order: together they fill every sheet. Read by
 * scripts/make-spreadsheets.ts, which writes the example, and by the tests that read it back.
 */
export const EXAMPLE_FIXTURES: readonly string[] = [
  "01-clean-association.json",
  "03-trade-association-two-penalties.json",
  "11-score-400-grade-d.json",
  "13-floor-at-zero.json",
  "16-registered-1-july-year-exempt.json",
  "21-events-after-as-of-ignored.json",
  "23-grade-a-rectification-notices.json",
  "38-v1-dishonest-listed-later-penalty-v5.json",
  "40-v1-dishonest-revoked-causes-not-eligible.json",
];
