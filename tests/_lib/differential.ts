/**
 * asOf dates of the CI differential: the 30/31 May inspection deadline, 29 February and the days around
 * it, year ends and starts, half years, ordinary days. `npm run differential` runs 1,000 organizations on each.
 */
export const DIFFERENTIAL_AS_OF = [
  "2019-12-31",
  "2020-01-01",
  "2020-02-29",
  "2020-03-01",
  "2021-02-28",
  "2021-05-30",
  "2021-05-31",
  "2021-06-30",
  "2022-05-31",
  "2022-06-01",
  "2022-12-31",
  "2023-02-28",
  "2023-05-30",
  "2023-05-31",
  "2023-07-01",
  "2023-12-31",
  "2024-02-29",
  "2024-05-31",
  "2024-08-31",
  "2025-01-01",
];
