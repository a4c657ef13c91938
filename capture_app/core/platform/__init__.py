"""What every other part stands on: layered settings and the texts they are
explained with (config), translations (i18n), resources, paths, safe file writes, the error class
the agent reads (errors), secrets in the OS keyring, network plumbing (proxies, TLS, addresses
without credentials), start at login, the desktop session kind, sizes and time-zone names, and the
start-up cache of parsed TOML (tomlcache).

May import: nothing else in core.
"""
