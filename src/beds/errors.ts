/** A refused beds operation: its HTTP status, a stable code and a French message for the user. */
export class BedError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
