/** What the policy pack says of a plan: its own module, so the plan document and the evaluator do not import each other. */

/** One violation of one rule. */
export interface PolicyViolation {
  readonly policy: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  /** The resource as the plan names it (`type::name`); absent for the stack as a whole. */
  readonly resource?: string;
  readonly message: string;
}

/** The verdict of every rule on one plan. */
export interface PolicyVerdict {
  /** No mandatory violation. */
  readonly passed: boolean;
  /** The rules run, in order. */
  readonly policies: readonly string[];
  readonly violations: readonly PolicyViolation[];
}
