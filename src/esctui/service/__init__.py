"""The application layer: the rules of handling a command over any store, intake, paging."""
