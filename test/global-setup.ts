/** Prepared once per `vitest run`; filled in by the database test harness. */
export default async function setup(): Promise<void> {}
