"""The widgets of the console screen."""
