"""The team server: one journal store shared over HTTP (`esctui serve`)."""
