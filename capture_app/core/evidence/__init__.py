"""What the agent attaches: screenshots and safe PNGs (screenshot, png, portal,
macos_permission, screenshot_evidence), files identified by their bytes (filetypes, importing),
console logs and HAR recordings (console_log, har, har_entry).

May import: report, privacy, platform.
"""
