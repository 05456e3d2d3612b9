"""Where events and state are kept: storage craft only (the rules live in `service/`)."""
