/** One invalid field of a problem+json answer (libs/errs.FieldError). */
export interface FieldProblem {
  field: string;
  reason: string;
}

/** Problem is an RFC 9457 problem+json body as every Rapport service writes it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldProblem[];
}

/**
 * ApiError is a failed call: an HTTP status with its problem+json body, or
 * status 0 when the network failed before any answer.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || (status === 0 ? "network error" : `HTTP ${status}`));
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  /** fields lists the invalid fields the problem names. */
  get fields(): FieldProblem[] {
    return this.problem.errors ?? [];
  }

  /** retryable says whether trying the same call again may succeed. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

/** isApiError narrows an unknown thrown value. */
export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/**
 * fieldPath turns a problem's field ("emails/0/address", "customFields.tier")
 * into an Ant Design form name path (["emails", 0, "address"]).
 */
export function fieldPath(field: string): (string | number)[] {
  return field
    .split(/[/.]/)
    .filter((p) => p !== "")
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}
