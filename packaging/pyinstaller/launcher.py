"""Entry point of the frozen app (PyInstaller needs a script, not a module)."""
import sys

from capture_app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
