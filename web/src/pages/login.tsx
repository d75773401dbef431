import { useState } from "preact/hooks";
import { errorText, isUnauthenticated, login } from "../api.js";

export function Login({ onLogin }: { onLogin: () => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await login(token.trim());
      onLogin();
    } catch (err) {
      setError(isUnauthenticated(err) ? "That token was refused. Use the hub's admin token (DATA_DIR/admin-token)." : `Cannot reach the hub: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>gitfleet</h1>
      <form onSubmit={submit} aria-describedby={error ? "login-error" : undefined}>
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button type="submit" disabled={busy || !token.trim()}>
          Sign in
        </button>
        {error && (
          <p id="login-error" role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
