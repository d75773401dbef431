import { useState } from "preact/hooks";
import { login } from "../api.js";
import { loginError } from "../rpc-errors.js";

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
      setError(loginError(err));
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
