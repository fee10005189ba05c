"""The ELG wire protocol: request bodies in, JSON and server-sent events out."""
