"""The ELG wire protocol: request bodies in, JSON and server-sent events out; the process's event loop
that async handlers and streams run on (:mod:`.event_loop`)."""
