import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/http.client';
import { useSession } from '../api/session.context';
import { refusalText } from '../api/refusal.mapper';

export function LoginPage() {
  const { signIn } = useSession();
  const [apiKey, setApiKey] = useState('');
  const [seat, setSeat] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(apiKey, seat);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure : new ApiError(0, 'CONSOLE.NETWORK', String(failure)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="login" onSubmit={(e) => void submit(e)}>
      <h1>Рабочее место контакт-центра</h1>
      <label>
        Ключ доступа
        <input data-testid="login-key" type="password" autoComplete="off" autoFocus value={apiKey} onChange={(e) => setApiKey(e.target.value)} required />
      </label>
      <label>
        Рабочее место (телефон), для оператора
        <input data-testid="login-seat" placeholder="PJSIP/sochi-op01" value={seat} onChange={(e) => setSeat(e.target.value)} />
      </label>
      {error && (
        <p className="refusal" role="alert" data-testid="login-error" data-code={error.code}>
          {refusalText(error)}
        </p>
      )}
      <button type="submit" data-testid="login-submit" disabled={busy}>
        Войти
      </button>
    </form>
  );
}
