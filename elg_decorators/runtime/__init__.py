"""What a served process needs beyond answering requests: resources created once, readiness,
deadlines, overload, graceful shutdown, metrics and request logs."""
