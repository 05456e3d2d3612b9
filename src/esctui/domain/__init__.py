"""The rules of on-call, as plain data and pure functions: no files, sockets, screens or clock."""
