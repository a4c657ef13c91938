"""What the agent attaches: screenshots and safe PNGs (screenshot, png, portal,
macos_permission, screenshot_evidence), files identified by their bytes (filetypes, importing),
console logs and HAR recordings (console_log, har, har_entry), recorded steps (steps; the
desktop's hooks in step_hooks, what was clicked in step_windows, step_elements and
step_elements_native).

May import: report, privacy, platform.
"""
