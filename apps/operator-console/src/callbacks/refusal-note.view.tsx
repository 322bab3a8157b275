import { ApiError } from '../api/http.client';
import { refusalText } from '../api/refusal.mapper';

/** A refusal of the API in words, its code kept for the tests and for support (`data-code`). */
export function RefusalNote({ error }: { error: unknown }) {
  const refusal = error instanceof ApiError ? error : new ApiError(0, 'CONSOLE.NETWORK', 'network');
  return (
    <p className="refusal" role="alert" data-testid="refusal" data-code={refusal.code}>
      {refusalText(refusal)} <span className="muted">({refusal.code})</span>
    </p>
  );
}
