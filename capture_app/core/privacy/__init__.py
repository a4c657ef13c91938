"""Personal data in what is sent: finding it (pii), scrubbing it from text
(text_scrub), and reading the text on screenshots to find it there too (screen_text,
screenshot_pii).

May import: report, platform.
"""
