"""The responder's console: the Textual app over any `Backend`."""
