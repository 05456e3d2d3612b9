"""The queue screen and its parts."""
