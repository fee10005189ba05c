"""The application's side of a served process, whatever server runs it.

* :mod:`.service_app`: the Flask application of a service, which records every request it answers;
* :mod:`.service_runtime`: its resources in this process, liveness and readiness, the metrics route;
* :mod:`.resources`: resources created once per process (or once before the fork);
* :mod:`.lifecycle`: the request's record, the one seam between the worker and the application;
* :mod:`.metrics`, :mod:`.metric_files`: Prometheus metrics summed over the workers;
* :mod:`.requestlog`, :mod:`.log_values`: one log line per request, safe to write;
* :mod:`.process`: which process this is, and request ids.
"""
