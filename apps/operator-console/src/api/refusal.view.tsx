import { ApiError } from './http.client';
import { refusalText } from './refusal.mapper';

/** A refusal in words, with the API's code beside it (data-code for the browser tests and the help desk). */
export function Refusal({ error, note }: { error: unknown; note?: string | null }) {
  const refusal = error instanceof ApiError ? { code: error.code, status: error.status } : { code: 'CONSOLE.NETWORK', status: 0 };
  return (
    <div className="refusal" role="alert" data-testid="refusal" data-code={refusal.code}>
      {refusalText(refusal)} {note ? `${note} ` : ''}
      <span className="muted">({refusal.code})</span>
    </div>
  );
}

/** A refusal the booking or the MIS recorded on an appointment (REJECTED), shown the same way. */
export function rejectionError(rejection: { code: string; message: string }): ApiError {
  return new ApiError(409, rejection.code, rejection.message);
}
