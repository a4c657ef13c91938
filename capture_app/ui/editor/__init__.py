"""The screenshot editor: crop, shapes, text, step markers, highlighter and redaction."""
