// Which violations are of the client history, alone in a module: the viewer's page asks it without loading the
// linearizability checker (which runs in the history panel's worker; issue 15, the page's first script).

/**
 * Whether a violation is of the client history (linearizability): judged over the operations at the end of the
 * run, so the cause its event records is the end-of-run check. Named as sim/check's linearizableChecker names it
 * (`linearizable`, or a name containing "lineariz").
 */
export function isHistoryViolation(invariant: string): boolean {
  return /lineariz/i.test(invariant);
}
