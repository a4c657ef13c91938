"""The console guide: a webview window in its own process, or a text view when there is none."""
