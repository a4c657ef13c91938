"""Real servers and a test CA for the sending tests (SMTP, HTTP, TLS, keyring)."""
