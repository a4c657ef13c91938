"""Pure-Python core of Report Capture. Nothing under this package may import Qt."""
