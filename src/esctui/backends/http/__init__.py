"""Our own team server (`esctui serve`) as a backend: `esctui --server URL`.

Import `HttpBackend` from `esctui.backends.http.backend`; this package's `wire` module (the
wire format the server speaks too) must stay importable without an HTTP client.
"""
